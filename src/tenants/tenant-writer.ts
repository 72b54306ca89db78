import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundInBrokerError } from '../common/domain-errors';
import { currentBrokerId } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';
import { Tenant } from './tenant.entity';
import type { KnownTenant, TenantMergePlan } from './tenant-merge';
import { deriveTenantStatus } from './tenant-status';

export type AttestationState = 'pending' | 'attested' | 'none';

export interface MergeCounts {
  created: number;
  updated: number;
  removed: number;
}

const INSERT_CHUNK = 200;

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
  knownTenants(brokerId: number, tx?: Tx): Promise<KnownTenant[]> {
    const manager = tx?.manager ?? this.sql.manager;
    const lock = tx && tx.dialect.name === 'postgres' ? { lock: { mode: 'pessimistic_write' as const } } : {};
    return manager.find(Tenant, { where: { brokerId }, select: KNOWN_COLUMNS, ...lock });
  }

  // Writes a merge plan (planTenantMerge, planned inside the same transaction on the rows as they are now).
  async applyMergePlan(tx: Tx, brokerId: number, plan: TenantMergePlan, now: Date): Promise<MergeCounts> {
    for (let start = 0; start < plan.inserts.length; start += INSERT_CHUNK) {
      await tx.manager.insert(
        Tenant,
        plan.inserts.slice(start, start + INSERT_CHUNK).map((fields) => ({ ...fields, brokerId, lastSyncedAt: now })),
      );
    }
    for (const { id, changes } of plan.updates) {
      await tx.manager.update(Tenant, { id, brokerId }, { ...changes, lastSyncedAt: now });
    }
    return { created: plan.inserts.length, updated: plan.updates.length - plan.removed, removed: plan.removed };
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
      brokerId !== undefined && Number.isSafeInteger(tenantId)
        ? await manager.findOne(Tenant, {
            where: { id: tenantId, brokerId },
            ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
          })
        : null;
    if (!tenant) throw new NotFoundInBrokerError('That tenant');
    return tenant;
  }
}
