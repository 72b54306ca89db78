import { Injectable } from '@nestjs/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import { NotFoundInBrokerError } from '../common/domain-errors';
import { currentBrokerId } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';
import { Tenant } from './tenant.entity';
import {
  goneTenants,
  normaliseCustomers,
  planCustomerMerge,
  type FetchedCustomer,
  type KnownTenant,
  type TenantMergePlan,
} from './tenant-merge';
import { deriveTenantStatus } from './tenant-status';

export type AttestationState = 'pending' | 'attested' | 'none';

export interface MergeCounts {
  created: number;
  updated: number;
  removed: number;
}

// A batched merge that stopped part-way: the batches before it committed, and `written` says what they wrote.
export class PartialMergeError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly written: MergeCounts,
  ) {
    super(`The merge stopped after writing ${written.created + written.updated + written.removed} changes`);
    this.name = 'PartialMergeError';
  }
}

// Called inside each batch's transaction with the totals so far (the caller records its progress with them).
export type MergeBatchHook = (tx: Tx, written: MergeCounts) => Promise<void>;

const INSERT_CHUNK = 200;
// Customers (or removals) per transaction of a batched merge: on SQLite every other write of the process waits
// for the one in progress, and a hundred rows with their triggers take a few milliseconds.
export const MERGE_BATCH = 100;
// Ids are 32-bit integers on PostgreSQL: a larger one names no tenant (and would fail as a query).
const isTenantId = (id: number): boolean => Number.isInteger(id) && id >= 1 && id <= 2_147_483_647;

const KNOWN_COLUMNS = {
  id: true,
  microsoftTenantId: true,
  name: true,
  domain: true,
  status: true,
  directlySigned: true,
  acceptedAt: true,
  removedAt: true,
} as const;

// The one writer of tenants and of their status: sync applies Partner Center's data through it, attestation its
// states. Every write runs inside the caller's transaction (SqlService.transaction), so that the change and what
// the caller records with it (a sync run, an audit event, a job) commit together.
@Injectable()
export class TenantWriter {
  constructor(private readonly sql: SqlService) {}

  // A broker's tenants as the merge reads them. Inside a transaction on PostgreSQL the rows are locked, so that an
  // attestation changing a status meanwhile waits for the merge instead of being overwritten by it (SQLite
  // serialises write transactions already).
  knownTenants(brokerId: number, tx?: Tx, only?: { microsoftTenantIds: string[] }): Promise<KnownTenant[]> {
    const manager = tx?.manager ?? this.sql.manager;
    const lock = tx && tx.dialect.name === 'postgres' ? { lock: { mode: 'pessimistic_write' as const } } : {};
    const where = only ? { brokerId, microsoftTenantId: In(only.microsoftTenantIds) } : { brokerId };
    return manager.find(Tenant, { where, select: KNOWN_COLUMNS, ...lock });
  }

  // The broker's tenants not marked removed, as the statement returns them: on SQLite a prepared statement's rows,
  // without an entity built for each (ten thousand of those would hold the event loop for tens of ms).
  private listedTenants(brokerId: number): Promise<Pick<KnownTenant, 'id' | 'microsoftTenantId' | 'removedAt'>[]> {
    return this.sql.query`SELECT id, microsoft_tenant_id AS "microsoftTenantId", removed_at AS "removedAt"
      FROM tenants WHERE broker_id = ${brokerId} AND removed_at IS NULL`;
  }

  // Writes a merge plan (planTenantMerge, planned inside the same transaction on the rows as they are now).
  async applyMergePlan(tx: Tx, brokerId: number, plan: TenantMergePlan, now: Date): Promise<MergeCounts> {
    for (let start = 0; start < plan.inserts.length; start += INSERT_CHUNK) {
      // Without reading the new rows back (TypeORM would, for their defaults): nothing here needs them.
      await tx.manager
        .createQueryBuilder()
        .insert()
        .into(Tenant)
        .values(
          plan.inserts.slice(start, start + INSERT_CHUNK).map((fields) => ({ ...fields, brokerId, lastSyncedAt: now })),
        )
        .updateEntity(false)
        .execute();
    }
    for (const { id, changes } of plan.updates) {
      await tx.manager.update(Tenant, { id, brokerId }, { ...changes, lastSyncedAt: now });
    }
    return { created: plan.inserts.length, updated: plan.updates.length - plan.removed, removed: plan.removed };
  }

  // Partner Center's customers merged in short transactions of MERGE_BATCH rows each, so that no other write
  // waits long behind a large sync. Each batch is planned on its rows as they are inside its own transaction (an
  // attestation that changed a status meanwhile is kept); then the tenants gone from Partner Center are marked
  // removed, in batches too. Ids are compared as stored: this writer stores them normalised (lower case).
  async mergeInBatches(
    brokerId: number,
    fetched: readonly FetchedCustomer[],
    now: Date,
    onBatch: MergeBatchHook,
  ): Promise<MergeCounts> {
    const written: MergeCounts = { created: 0, updated: 0, removed: 0 };
    const batch = async (work: (tx: Tx) => Promise<void>) =>
      this.sql.transaction(async (tx) => {
        await work(tx);
        await onBatch(tx, { ...written });
      });
    // Normalised batch by batch too: ten thousand customers at once would hold the event loop for tens of ms.
    const seen = new Set<string>();
    try {
      for (let start = 0; start < fetched.length; start += MERGE_BATCH) {
        const slice = normaliseCustomers(fetched.slice(start, start + MERGE_BATCH), seen);
        if (slice.length === 0) continue;
        const totals = { ...written };
        await batch(async (tx) => {
          const known = await this.knownTenants(brokerId, tx, { microsoftTenantIds: slice.map((c) => c.tenantId) });
          const counts = await this.applyMergePlan(tx, brokerId, planCustomerMerge(slice, known, now), now);
          written.created = totals.created + counts.created;
          written.updated = totals.updated + counts.updated;
        }).catch((error: unknown) => {
          Object.assign(written, totals);
          throw error;
        });
      }
      const gone = goneTenants(await this.listedTenants(brokerId), seen);
      for (let start = 0; start < gone.length; start += MERGE_BATCH) {
        const ids = gone.slice(start, start + MERGE_BATCH);
        const before = written.removed;
        await batch(async (tx) => {
          const result = await tx.manager.update(
            Tenant,
            { brokerId, id: In(ids), removedAt: IsNull() },
            { removedAt: now, lastSyncedAt: now },
          );
          written.removed = before + (result.affected ?? ids.length);
        }).catch((error: unknown) => {
          written.removed = before;
          throw error;
        });
      }
    } catch (error) {
      throw new PartialMergeError(error, written);
    }
    return written;
  }

  // Where a tenant's attestation stands: an open one makes it pending, a finalized one attested (accepted now),
  // none leaves what Partner Center says (direct or none). A direct acceptance outranks an open attestation.
  async setAttestationState(tx: Tx, tenantId: number, state: AttestationState): Promise<void> {
    const tenant = await this.lockedTenant(tx.manager, tx.dialect.name === 'postgres', tenantId);
    const status = deriveTenantStatus({
      hasFinalizedAttestation: state === 'attested',
      directlySigned: tenant.directlySigned,
      hasOpenAttestation: state === 'pending',
    });
    let acceptedAt: Date | null = null;
    if (status === tenant.status && (status === 'attested' || status === 'direct')) acceptedAt = tenant.acceptedAt;
    else if (status === 'attested') acceptedAt = new Date();
    else if (status === 'direct') acceptedAt = tenant.acceptedAt ?? new Date();
    if (status === tenant.status && acceptedAt?.getTime() === tenant.acceptedAt?.getTime()) return;
    await tx.manager.update(Tenant, { id: tenant.id, brokerId: tenant.brokerId }, { status, acceptedAt });
  }

  private async lockedTenant(manager: EntityManager, lock: boolean, tenantId: number): Promise<Tenant> {
    const brokerId = currentBrokerId();
    const tenant =
      brokerId !== undefined && isTenantId(tenantId)
        ? await manager.findOne(Tenant, {
            where: { id: tenantId, brokerId },
            ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
          })
        : null;
    if (!tenant) throw new NotFoundInBrokerError('That tenant');
    return tenant;
  }
}
