import { templateOf, type SqlReader } from '../database/sql.service';
import { activeJobSince } from '../jobs/jobs.repository';
import type { SyncSummary } from '../tenants/sync-status';
import { TENANT_SYNC_JOB } from './sync-jobs';

// The columns each summary query reads; each query selects only those it needs.
interface SummaryRow {
  status?: 'running' | 'succeeded' | 'failed';
  started_at?: unknown;
  finished_at?: unknown;
  processed: number;
  total: number | null;
  error?: string | null;
  unusual_count?: number;
  unusual_ids?: string | null;
  unread_count?: number;
  unread_ids?: string | null;
  unread_reason?: string | null;
}

function unreadOf(row: SummaryRow | undefined): SyncSummary['unread'] {
  const count = Number(row?.unread_count ?? 0);
  if (!row || count === 0) return null;
  const ids = (row.unread_ids ?? '').split(' ').filter(Boolean);
  return { count, ids, more: Math.max(0, count - ids.length), reason: row.unread_reason ?? '' };
}

function unusualOf(row: SummaryRow | undefined): SyncSummary['unusual'] {
  const count = Number(row?.unusual_count ?? 0);
  if (!row || count === 0) return null;
  const ids = (row.unusual_ids ?? '').split(' ').filter(Boolean);
  return { count, ids, more: Math.max(0, count - ids.length) };
}

// Read on every render of the MCA page: plain indexed single-row lookups. A sync is running from the moment its
// job is queued (the click shows at once) until the job ends; its progress comes from its sync_runs row.
export async function readSyncSummary(reader: SqlReader, brokerId: number): Promise<SyncSummary> {
  const query = templateOf(reader);
  const queuedAt = await activeJobSince(reader, brokerId, TENANT_SYNC_JOB);
  const [running] = queuedAt
    ? await query<SummaryRow>`
          SELECT started_at, processed, total FROM sync_runs WHERE broker_id = ${brokerId} AND status = 'running'`
    : [];
  const [lastFinished] = await query<SummaryRow>`
      SELECT status, finished_at, error, unusual_count, unusual_ids, unread_count, unread_ids, unread_reason FROM sync_runs
      WHERE broker_id = ${brokerId} AND status IN ('succeeded', 'failed') ORDER BY finished_at DESC, id DESC LIMIT 1`;
  const [lastSuccess] =
    lastFinished?.status === 'failed'
      ? await query<SummaryRow>`SELECT finished_at FROM sync_runs WHERE broker_id = ${brokerId} AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1`
      : [lastFinished];
  const decode = (value: unknown) => reader.dialect.decodeTimestamp(value);
  const failedAt = lastFinished?.status === 'failed' ? decode(lastFinished.finished_at) : null;
  return {
    running: queuedAt !== null,
    startedAt: queuedAt ? (decode(running?.started_at) ?? queuedAt) : null,
    progress: queuedAt ? { processed: running?.processed ?? 0, total: running?.total ?? null } : null,
    lastSuccessAt: decode(lastSuccess?.finished_at),
    lastFailure: failedAt ? { at: failedAt, message: lastFinished?.error ?? 'Unknown error' } : null,
    unusual: unusualOf(lastFinished),
    unread: unreadOf(lastFinished),
  };
}
