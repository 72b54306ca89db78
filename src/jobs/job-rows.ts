import type { Dialect } from '../database/dialect';
import type { Tx } from '../database/sql.service';

export const JOB_STATES = ['queued', 'running', 'succeeded', 'dead', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobView {
  id: number;
  type: string;
  brokerId: number | null;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  progressDone: number | null;
  progressTotal: number | null;
  lastError: string | null;
  runAt: Date;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface JobRow {
  id: number | string;
  type: string;
  payload: string;
  broker_id: number | string | null;
  state: JobState;
  attempts: number | string;
  max_attempts: number | string;
  progress_done: number | string | null;
  progress_total: number | string | null;
  last_error: string | null;
  run_at: unknown;
  created_at: unknown;
  started_at: unknown;
  finished_at: unknown;
}

export const JOB_VIEW_COLUMNS =
  'id, type, broker_id, state, attempts, max_attempts, progress_done, progress_total, last_error, run_at, created_at, started_at, finished_at';

// A running job handed back to the queue without finishing (the app shut down, or a restored backup caught it
// mid-run). Its attempt stays counted: what it did before it stopped is unknown. One more try is always left.
export const HAND_BACK_TO_QUEUE = `state = 'queued', locked_by = NULL, locked_until = NULL,
  max_attempts = CASE WHEN attempts >= max_attempts THEN attempts + 1 ELSE max_attempts END`;

const toNumber = (value: number | string | null): number | null => (value === null ? null : Number(value));

export function toJobView(row: JobRow, dialect: Dialect): JobView {
  return {
    id: Number(row.id),
    type: row.type,
    brokerId: toNumber(row.broker_id),
    state: row.state,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    progressDone: toNumber(row.progress_done),
    progressTotal: toNumber(row.progress_total),
    lastError: row.last_error,
    runAt: dialect.decodeTimestamp(row.run_at)!,
    createdAt: dialect.decodeTimestamp(row.created_at)!,
    startedAt: dialect.decodeTimestamp(row.started_at),
    finishedAt: dialect.decodeTimestamp(row.finished_at),
  };
}

// An UPDATE or DELETE with RETURNING inside a transaction, giving the returned rows on both drivers (TypeORM's
// PostgreSQL runner hands back [rows, rowCount] for those two commands, SQLite's the rows).
export async function writeReturning<T>(tx: Tx, sql: string, params: readonly unknown[]): Promise<T[]> {
  const result = (await tx.run<unknown>(sql, params)) as unknown;
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
