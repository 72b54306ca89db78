import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { SqlService, type Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import type { SyncTrigger } from './sync-run.entity';
import { TENANT_SYNC_JOB, TENANT_SYNC_MAX_ATTEMPTS, tenantSyncKey } from './sync-jobs';
import type { SyncSummary } from '../tenants/sync-status';

// The columns each summary query reads; each query selects only those it needs.
interface SummaryRow {
  status?: 'running' | 'succeeded' | 'failed';
  started_at?: unknown;
  finished_at?: unknown;
  created_at?: unknown;
  processed: number;
  total: number | null;
  error?: string | null;
  unusual_count?: number;
  unusual_ids?: string | null;
}

function unusualOf(row: SummaryRow | undefined): SyncSummary['unusual'] {
  const count = Number(row?.unusual_count ?? 0);
  if (!row || count === 0) return null;
  const ids = (row.unusual_ids ?? '').split(' ').filter(Boolean);
  return { count, ids, more: Math.max(0, count - ids.length) };
}

const IDLE_POLL_MS = 25;

@Injectable()
export class SyncService {
  constructor(
    private readonly sql: SqlService,
    private readonly queue: JobQueue,
    private readonly scope: BrokerScope,
    private readonly audit: AuditTrail,
  ) {}

  // Read on every render of the MCA page: plain indexed single-row lookups. A sync is running from the moment its
  // job is queued (the click shows at once) until the job ends; its progress comes from its sync_runs row.
  async summary(): Promise<SyncSummary> {
    const brokerId = this.scope.brokerId();
    const query = this.sql.query;
    const [job] = await query<SummaryRow>`
      SELECT created_at FROM jobs
      WHERE broker_id = ${brokerId} AND state IN ('queued', 'running') AND type = ${TENANT_SYNC_JOB} LIMIT 1`;
    const [running] = job
      ? await query<SummaryRow>`
          SELECT started_at, processed, total FROM sync_runs WHERE broker_id = ${brokerId} AND status = 'running'`
      : [];
    const [lastFinished] = await query<SummaryRow>`
      SELECT status, finished_at, error, unusual_count, unusual_ids FROM sync_runs
      WHERE broker_id = ${brokerId} AND status IN ('succeeded', 'failed') ORDER BY finished_at DESC, id DESC LIMIT 1`;
    const [lastSuccess] =
      lastFinished?.status === 'failed'
        ? await query<SummaryRow>`SELECT finished_at FROM sync_runs WHERE broker_id = ${brokerId} AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1`
        : [lastFinished];
    const decode = (value: unknown) => this.sql.dialect.decodeTimestamp(value);
    const failedAt = lastFinished?.status === 'failed' ? decode(lastFinished.finished_at) : null;
    return {
      running: Boolean(job),
      startedAt: job ? decode(running?.started_at ?? job.created_at) : null,
      progress: job ? { processed: running?.processed ?? 0, total: running?.total ?? null } : null,
      lastSuccessAt: decode(lastSuccess?.finished_at),
      lastFailure: failedAt ? { at: failedAt, message: lastFinished?.error ?? 'Unknown error' } : null,
      unusual: unusualOf(lastFinished),
    };
  }

  // Asks for a sync of the current broker; false when one is already queued or running (here or in another app
  // instance), which then simply goes on. The request is the user's in the audit trail; the run is the system's.
  async start(triggeredBy: SyncTrigger): Promise<boolean> {
    const brokerId = this.scope.brokerId();
    return this.sql.transaction(async (tx) => {
      const jobId = await this.enqueue(tx, brokerId, triggeredBy);
      if (jobId === null) return false;
      await this.audit.record(tx, { action: 'sync.requested', subject: { type: 'job', id: jobId }, data: {} });
      return true;
    });
  }

  enqueue(tx: Tx, brokerId: number, trigger: SyncTrigger): Promise<number | null> {
    return this.queue.enqueue(
      tx,
      TENANT_SYNC_JOB,
      { trigger },
      { brokerId, uniqueKey: tenantSyncKey(brokerId), uniqueScope: 'active', maxAttempts: TENANT_SYNC_MAX_ATTEMPTS },
    );
  }

  // Resolves once no sync job (nor a schedule that asks for them) is queued or running, in any instance.
  async whenIdle(): Promise<void> {
    for (;;) {
      const [busy] = await this.sql.query<{ id: number }>`
        SELECT id FROM jobs WHERE state IN ('queued', 'running') AND type LIKE 'tenant.sync%' LIMIT 1`;
      if (!busy) return;
      await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
    }
  }
}
