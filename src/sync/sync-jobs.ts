import type { SyncTrigger } from './sync-run.entity';

// The job that syncs one broker (its brokerId is the job's), and the scheduled one that asks for it per broker.
export const TENANT_SYNC_JOB = 'tenant.sync';
export const TENANT_SYNC_SCHEDULE_JOB = 'tenant.sync.schedule';
export const TENANT_SYNC_SCHEDULE = 'tenant-sync';

// One sync per broker at a time across every instance: a second request while one is queued or running is a no-op.
export const tenantSyncKey = (brokerId: number): string => `tenant.sync:${brokerId}`;

// A sync records its own failures in sync_runs; a further attempt only follows an instance that died mid-run.
export const TENANT_SYNC_MAX_ATTEMPTS = 3;

export interface TenantSyncPayload {
  trigger: SyncTrigger;
}

export function parseTenantSyncPayload(payload: unknown): TenantSyncPayload {
  const trigger = (payload as { trigger?: unknown } | null)?.trigger;
  if (trigger !== 'manual' && trigger !== 'schedule') throw new Error('trigger must be "manual" or "schedule"');
  return { trigger };
}
