import type { SqlReader } from '../database/sql.service';
import { activeJobSince } from '../jobs/jobs.repository';
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
  const runs = new SyncRunReads(reader);
  const queuedAt = await activeJobSince(reader, brokerId, TENANT_SYNC_JOB);
  const running = queuedAt ? await runs.running(brokerId) : null;
  const lastFinished = await runs.lastFinished(brokerId);
  const failed = lastFinished?.status === 'failed';
  const lastSuccessAt = failed ? await runs.lastSuccessAt(brokerId) : (lastFinished?.finishedAt ?? null);
  const failedAt = failed ? lastFinished.finishedAt : null;
  return {
    running: queuedAt !== null,
    startedAt: queuedAt ? (running?.startedAt ?? queuedAt) : null,
    progress: queuedAt ? { processed: running?.processed ?? 0, total: running?.total ?? null } : null,
    lastSuccessAt,
    lastFailure: failedAt ? { at: failedAt, message: lastFinished?.error ?? 'Unknown error' } : null,
    unusual: unusualOf(lastFinished),
    unread: unreadOf(lastFinished),
  };
}
