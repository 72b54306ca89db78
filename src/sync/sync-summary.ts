import { templateOf, type SqlReader } from '../database/sql.service';
import type { SyncSummary } from '../tenants/sync-status';
import { TENANT_SYNC_JOB } from './sync-jobs';
import { SyncRunReads, type FinishedSync } from './sync.repository';

function unreadOf(run: FinishedSync | null): SyncSummary['unread'] {
  if (!run || run.unreadCount === 0) return null;
  const ids = run.unreadIds;
  return {
    count: run.unreadCount,
    ids,
    more: Math.max(0, run.unreadCount - ids.length),
    reason: run.unreadReason ?? '',
  };
}

function unusualOf(run: FinishedSync | null): SyncSummary['unusual'] {
  if (!run || run.unusualCount === 0) return null;
  const ids = run.unusualIds;
  return { count: run.unusualCount, ids, more: Math.max(0, run.unusualCount - ids.length) };
}

// Read on every render of the MCA page: plain indexed single-row lookups. A sync is running from the moment its
// job is queued (the click shows at once) until the job ends; its progress comes from its sync_runs row.
export async function readSyncSummary(reader: SqlReader, brokerId: number): Promise<SyncSummary> {
  const query = templateOf(reader);
  const runs = new SyncRunReads(reader);
  const [job] = await query<{ created_at: unknown }>`
      SELECT created_at FROM jobs
      WHERE broker_id = ${brokerId} AND state IN ('queued', 'running') AND type = ${TENANT_SYNC_JOB} LIMIT 1`;
  const running = job ? await runs.running(brokerId) : null;
  const lastFinished = await runs.lastFinished(brokerId);
  const failed = lastFinished?.status === 'failed';
  const lastSuccessAt = failed ? await runs.lastSuccessAt(brokerId) : (lastFinished?.finishedAt ?? null);
  const failedAt = failed ? lastFinished.finishedAt : null;
  return {
    running: Boolean(job),
    startedAt: job ? (running?.startedAt ?? reader.dialect.decodeTimestamp(job.created_at)) : null,
    progress: job ? { processed: running?.processed ?? 0, total: running?.total ?? null } : null,
    lastSuccessAt,
    lastFailure: failedAt ? { at: failedAt, message: lastFinished?.error ?? 'Unknown error' } : null,
    unusual: unusualOf(lastFinished),
    unread: unreadOf(lastFinished),
  };
}
