import { Injectable } from '@nestjs/common';
import { ConflictError } from '../common/domain-errors';
import { SqlService, type Tx } from '../database/sql.service';
import { JOB_VIEW_COLUMNS, toJobView, writeReturning, type JobRow, type JobView } from './job-rows';

export type { JobState, JobView } from './job-rows';

export interface EnqueueOptions {
  // The job runs with this broker in the request context (runForBroker) and the system actor.
  brokerId?: number | null;
  // A second enqueue with the same key is a no-op (returns null) while the first holds it; see uniqueScope.
  uniqueKey?: string;
  // How long the key holds: 'forever' (default) while the job is queued, running or succeeded, for work that must
  // happen once (one finalize per attestation, one send per message); 'active' only while it is queued or running,
  // for work that may happen again later but never twice at once (one sync per broker). A dead or cancelled job
  // frees its key either way, so the work can be asked for again.
  uniqueScope?: 'forever' | 'active';
  runAt?: Date; // default now
  maxAttempts?: number; // default 5
}

export type JobEvent = { kind: 'enqueued' } | { kind: 'cancelled'; jobId: number };

const MAX_UNIQUE_KEY = 200;

const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { driverError?: { code?: unknown }; code?: unknown } | null)?.driverError?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
};

// The jobs table: enqueued inside the caller's transaction, so a job exists exactly when the change that asked
// for it committed. The worker (JobWorker) claims and runs them.
@Injectable()
export class JobQueue {
  private readonly listeners = new Set<(event: JobEvent) => void>();

  constructor(private readonly sql: SqlService) {}

  async enqueue(
    tx: Tx,
    type: string,
    payload: Record<string, unknown>,
    options: EnqueueOptions = {},
  ): Promise<number | null> {
    const maxAttempts = options.maxAttempts ?? 5;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`maxAttempts must be a positive integer`);
    if (
      options.uniqueKey !== undefined &&
      (options.uniqueKey.length === 0 || options.uniqueKey.length > MAX_UNIQUE_KEY)
    ) {
      throw new Error(`A job's uniqueKey must be 1 to ${MAX_UNIQUE_KEY} characters`);
    }
    const now = new Date();
    const rows = await tx.run<{ id: number | string }>(
      `INSERT INTO jobs (type, payload, broker_id, state, unique_key, unique_scope, attempts, max_attempts, run_at, created_at)
       VALUES (${placeholders(tx, 10)}) ON CONFLICT DO NOTHING RETURNING id`,
      [
        type,
        JSON.stringify(payload),
        options.brokerId ?? null,
        'queued',
        options.uniqueKey ?? null,
        options.uniqueScope ?? 'forever',
        0,
        maxAttempts,
        tx.dialect.encodeTimestamp(options.runAt ?? now),
        tx.dialect.encodeTimestamp(now),
      ],
    );
    if (rows.length === 0) return null;
    tx.afterCommit(() => this.emit({ kind: 'enqueued' }));
    return Number(rows[0].id);
  }

  // Queued: never runs. Running: its handler's signal is aborted and whatever it does after is not recorded.
  async cancel(jobId: number): Promise<boolean> {
    const rows = await this.sql.transaction((tx) =>
      writeReturning<{ id: number }>(
        tx,
        `UPDATE jobs SET state = 'cancelled', finished_at = ${tx.dialect.placeholder(1)}, locked_by = NULL, locked_until = NULL
         WHERE id = ${tx.dialect.placeholder(2)} AND state IN ('queued', 'running') RETURNING id`,
        [tx.dialect.encodeTimestamp(new Date()), jobId],
      ),
    );
    if (rows.length > 0) this.emit({ kind: 'cancelled', jobId });
    return rows.length > 0;
  }

  async get(jobId: number): Promise<JobView | null> {
    const [row] = await this.sql.run<JobRow>(
      `SELECT ${JOB_VIEW_COLUMNS} FROM jobs WHERE id = ${this.sql.dialect.placeholder(1)}`,
      [jobId],
    );
    return row ? toJobView(row, this.sql.dialect) : null;
  }

  // A dead job of this broker (or a broker-less one) runs again from its first attempt; its last error stays
  // until the next attempt ends. Null when there is no such dead job.
  async retry(jobId: number, brokerId: number): Promise<JobView | null> {
    try {
      const rows = await this.sql.transaction((tx) => {
        const p = tx.dialect.placeholder;
        return writeReturning<JobRow>(
          tx,
          `UPDATE jobs SET state = 'queued', attempts = 0, run_at = ${p(1)}, finished_at = NULL
           WHERE id = ${p(2)} AND state = 'dead' AND (broker_id = ${p(3)} OR broker_id IS NULL)
           RETURNING ${JOB_VIEW_COLUMNS}`,
          [tx.dialect.encodeTimestamp(new Date()), jobId, brokerId],
        );
      });
      if (rows.length === 0) return null;
      this.emit({ kind: 'enqueued' });
      return toJobView(rows[0], this.sql.dialect);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError('The same work has been asked for again meanwhile, so this job is not run again');
      }
      throw error;
    }
  }

  // Jobs of a type not yet finished (waiting, retrying or running): a feature's backlog, e.g. the unsent mail.
  async unfinished(type: string): Promise<number> {
    const [row] = await this.sql.query<{ n: number | string }>`
      SELECT count(*) AS n FROM jobs WHERE type = ${type} AND state IN ('queued', 'running')`;
    return Number(row?.n ?? 0);
  }

  // The worker listens: it wakes as soon as a transaction that enqueued has committed.
  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: JobEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function placeholders(tx: Tx, count: number): string {
  return Array.from({ length: count }, (_, i) => tx.dialect.placeholder(i + 1)).join(', ');
}
