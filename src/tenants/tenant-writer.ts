import { Injectable } from '@nestjs/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import { contactLabel, type Contact } from '../common/contact';
import { NotFoundInBrokerError } from '../common/domain-errors';
import { currentBrokerId } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';
import { AcceptancePolicySource } from './acceptance-policy';
import { deriveAcceptance, REACCEPTANCE_NEEDED } from './tenant-acceptance';
import { Tenant } from './tenant.entity';
import {
  changedFields,
  goneTenants,
  normaliseCustomers,
  planCustomerMerge,
  SIGNATORY_MAX,
  type FetchedCustomer,
  type KnownTenant,
  type TenantMergePlan,
} from './tenant-merge';

// The app's own partner-confirmed agreement, when its attestation is finalized.
export interface OwnAgreement {
  contact: Contact;
  agreedAt: Date;
  templateId: string | null;
}

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
  directSeenAt: true,
  partnerAccepted: true,
  partnerAgreedAt: true,
  agreementTemplateId: true,
  agreementSignatory: true,
  attestedOutside: true,
  ownAgreementContact: true,
  attestationState: true,
  acceptanceCheckedAt: true,
  acceptanceUnconfirmed: true,
  acceptedAt: true,
  reacceptance: true,
  removedAt: true,
} as const;
const REACCEPTANCE_BATCH = 500;

// The one writer of tenants and of their status: sync applies Partner Center's data through it, attestation its
// states. Every write runs inside the caller's transaction (SqlService.transaction), so that the change and what
// the caller records with it (a sync run, an audit event, a job) commit together.
@Injectable()
export class TenantWriter {
  constructor(
    private readonly sql: SqlService,
    private readonly policy: AcceptancePolicySource,
  ) {}

  // One tenant of the broker as the merge reads it (a tenant's acceptance page); another broker's is not found.
  async knownTenant(brokerId: number, tenantId: number): Promise<KnownTenant> {
    const tenant = isTenantId(tenantId)
      ? await this.sql.manager.findOne(Tenant, { where: { id: tenantId, brokerId }, select: KNOWN_COLUMNS })
      : null;
    if (!tenant) throw new NotFoundInBrokerError('That tenant');
    return tenant;
  }

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
    return {
      created: plan.inserts.length,
      updated: plan.updates.length - plan.removed - plan.confirmed,
      removed: plan.removed,
    };
  }

  // Partner Center's customers merged in short transactions of MERGE_BATCH rows each, so that no other write
  // waits long behind a large sync. Each batch is planned on its rows as they are inside its own transaction (an
  // attestation that changed a status meanwhile is kept); then (for a whole list, not one tenant's re-check) the
  // tenants gone from Partner Center are marked removed, in batches too. Ids are compared as stored: this writer
  // stores them normalised (lower case).
  async mergeInBatches(
    brokerId: number,
    fetched: readonly FetchedCustomer[],
    now: Date,
    onBatch: MergeBatchHook,
    options: { wholeList: boolean; confirmEveryMs?: number } = { wholeList: true },
  ): Promise<MergeCounts> {
    const requiredFrom = await this.policy.requiredFrom(brokerId);
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
          const plan = planCustomerMerge(slice, known, now, requiredFrom, options.confirmEveryMs);
          const counts = await this.applyMergePlan(tx, brokerId, plan, now);
          written.created = totals.created + counts.created;
          written.updated = totals.updated + counts.updated;
        }).catch((error: unknown) => {
          Object.assign(written, totals);
          throw error;
        });
      }
      const gone = options.wholeList ? goneTenants(await this.listedTenants(brokerId), seen) : [];
      for (let start = 0; start < gone.length; start += MERGE_BATCH) {
        const ids = gone.slice(start, start + MERGE_BATCH);
        const before = written.removed;
        await batch(async (tx) => {
          const result = await tx.manager.update(
            Tenant,
            { brokerId, id: In(ids), removedAt: IsNull() },
            { removedAt: now, lastSyncedAt: now, reacceptance: null },
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

  // Where the app's latest attestation of a tenant stands (its state as the row shows it, or null), and, when it
  // is finalized, the partner-confirmed agreement it made. The status follows the tenant's acceptances: a waiting
  // attestation never lowers an accepted tenant, and a cancelled one leaves the row as it was before it.
  async setAttestation(tx: Tx, tenantId: number, attestationState: string | null, made?: OwnAgreement): Promise<void> {
    const tenant = await this.lockedTenant(tx.manager, tx.dialect.name === 'postgres', tenantId);
    const own = made
      ? {
          partnerAccepted: true,
          partnerAgreedAt: made.agreedAt,
          agreementTemplateId: made.templateId,
          agreementSignatory: contactLabel(made.contact).slice(0, SIGNATORY_MAX),
          attestedOutside: false,
          ownAgreementContact: JSON.stringify(made.contact),
        }
      : {};
    const next = { ...tenant, ...own, attestationState };
    const derived = deriveAcceptance(next, await this.policy.requiredFrom(tenant.brokerId));
    const changes = changedFields<Tenant>(tenant, { ...own, attestationState, ...derived });
    if (Object.keys(changes).length === 0) return;
    await tx.manager.update(Tenant, { id: tenant.id, brokerId: tenant.brokerId }, changes);
  }

  // The broker's accepted tenants marked again against its "require acceptance on or after" date, a window of ids
  // per short transaction (a large broker's rows in one write would hold every other request on SQLite). A date
  // changed while this ran is applied in another pass. Returns how many tenants need re-acceptance.
  async markReacceptance(
    brokerId: number,
    onProgress?: (done: number, total: number) => Promise<void>,
  ): Promise<number> {
    const [span] = await this.sql.query<{ low: number | null; high: number | null }>`
      SELECT min(id) AS low, max(id) AS high FROM tenants WHERE broker_id = ${brokerId}`;
    let applied: number | null | undefined; // undefined: no pass yet
    for (;;) {
      const requiredFrom = await this.policy.requiredFrom(brokerId);
      if ((requiredFrom?.getTime() ?? null) === applied) break;
      applied = requiredFrom?.getTime() ?? null;
      if (span?.low === null || span?.low === undefined) break;
      const [low, high] = [Number(span.low), Number(span.high)];
      for (let from = low - 1; from < high; from += REACCEPTANCE_BATCH) {
        const to = from + REACCEPTANCE_BATCH;
        await this.sql.transaction(async (tx) => {
          const before = requiredFrom ? tx.dialect.encodeTimestamp(requiredFrom) : null;
          // deriveAcceptance's rule: an accepted tenant's shown acceptance is older, and no direct one is beside it.
          await tx.query`UPDATE tenants SET reacceptance = CASE WHEN status IN ('attested', 'direct')
            AND removed_at IS NULL AND accepted_at < ${before} AND (status = 'direct' OR directly_signed = FALSE)
            THEN ${REACCEPTANCE_NEEDED} ELSE NULL END
            WHERE broker_id = ${brokerId} AND id > ${from} AND id <= ${to}`;
        });
        await onProgress?.(Math.min(to, high) - low + 1, high - low + 1);
      }
    }
    const [count] = await this.sql.query<{ n: number | string }>`
      SELECT count(*) AS n FROM tenants WHERE broker_id = ${brokerId} AND reacceptance = ${REACCEPTANCE_NEEDED}`;
    return Number(count?.n ?? 0);
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
