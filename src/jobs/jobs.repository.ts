import { Injectable } from '@nestjs/common';
import type { KeysetBound } from '../common/keyset-page';
import type { Dialect } from '../database/dialect';
import { SqlService, templateOf, writeReturning, type SqlReader, type Tx } from '../database/sql.service';
import type { UniqueScope } from './job-handler';
import type { JobFilters, JobListState } from './job-list.query';
import type { ScheduleTiming } from './schedule-times';

// Every statement on `jobs` and `job_schedules`: the queue, the worker, the schedules, Background work's list and
// the metrics read them here, and other features ask the queue (JobQueue) rather than name the tables.

export type JobState = 'queued' | 'running' | 'succeeded' | 'dead' | 'cancelled';

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

// A job as the worker claimed it.
export interface ClaimedJob {
  id: number;
  type: string;
  payload: string;
  brokerId: number | null;
  attempt: number;
  maxAttempts: number;
}

export interface NewJob {
  type: string;
  payload: Record<string, unknown>;
  brokerId: number | null;
  unique: { key: string; scope: UniqueScope } | null;
  maxAttempts: number;
  runAt: Date;
  createdAt: Date;
}

export interface StoredSchedule extends ScheduleTiming {
  name: string;
  type: string;
  payload: string;
  timeZone: string;
  nextRunAt: Date;
}

// What runs and waits now, whatever the list's filters show.
export interface LiveJobCounts {
  running: number;
  waiting: number;
  retrying: number;
}

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

interface JobRow {
  id: number | string;
  type: string;
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

interface ClaimedRow {
  id: number | string;
  type: string;
  payload: string;
  broker_id: number | string | null;
  attempts: number | string;
  max_attempts: number | string;
}

interface ScheduleRow {
  name: string;
  type: string;
  payload: string;
  every_ms: number | string | null;
  cron: string | null;
  time_zone: string;
  next_run_at: unknown;
}

const JOB_VIEW_COLUMNS =
  'id, type, broker_id, state, attempts, max_attempts, progress_done, progress_total, last_error, run_at, created_at, started_at, finished_at';

const SCHEDULE_COLUMNS = 'name, type, payload, every_ms, cron, time_zone, next_run_at';

// The states as an admin reads them: a queued job that has failed before is "retrying".
const LIST_STATE_CONDITIONS: Record<JobListState, string> = {
  waiting: "state = 'queued' AND attempts = 0",
  retrying: "state = 'queued' AND attempts > 0",
  running: "state = 'running'",
  done: "state = 'succeeded'",
  failed: "state = 'dead'",
  cancelled: "state = 'cancelled'",
};

// A running job handed back to the queue without finishing (the app shut down, or a restored backup caught it
// mid-run). Its attempt stays counted: what it did before it stopped is unknown. One more try is always left.
const HAND_BACK_TO_QUEUE = `state = 'queued', locked_by = NULL, locked_until = NULL,
  max_attempts = CASE WHEN attempts >= max_attempts THEN attempts + 1 ELSE max_attempts END`;

const toNumber = (value: number | string | null): number | null => (value === null ? null : Number(value));

function toJobView(row: JobRow, dialect: Dialect): JobView {
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

const toClaimedJob = (row: ClaimedRow): ClaimedJob => ({
  id: Number(row.id),
  type: row.type,
  payload: row.payload,
  brokerId: toNumber(row.broker_id),
  attempt: Number(row.attempts),
  maxAttempts: Number(row.max_attempts),
});

const toSchedule = (row: ScheduleRow, dialect: Dialect): StoredSchedule => ({
  name: row.name,
  type: row.type,
  payload: row.payload,
  everyMs: row.every_ms === null ? undefined : Number(row.every_ms),
  cron: row.cron ?? undefined,
  timeZone: row.time_zone,
  nextRunAt: dialect.decodeTimestamp(row.next_run_at)!,
});

const placeholders = (dialect: Dialect, from: number, count: number): string =>
  Array.from({ length: count }, (_, i) => dialect.placeholder(from + i)).join(', ');

// A broker's jobs and the app's own (no broker), newest first from `bound`: each half read from its index in id
// order ((broker_id, id), (broker_id, state, id) or (broker_id, type, id)), then merged. An OR of the two would
// make the database read every matching job to sort them.
export function jobListStatement(
  dialect: Dialect,
  brokerId: number,
  filters: JobFilters,
  bound: KeysetBound | null,
  limit: number,
): SqlStatement {
  const params: unknown[] = [];
  const next = (value: unknown) => dialect.placeholder(params.push(value));
  const direction = bound?.op === '>' ? 'ASC' : 'DESC';
  const half = (owner: string) => {
    const where = [owner];
    if (filters.state) where.push(LIST_STATE_CONDITIONS[filters.state]);
    if (filters.kind) where.push(`type = ${next(filters.kind)}`);
    if (bound) where.push(`id ${bound.op} ${next(bound.id)}`);
    return `SELECT ${JOB_VIEW_COLUMNS} FROM jobs WHERE ${where.join(' AND ')} ORDER BY id ${direction} LIMIT ${next(limit)}`;
  };
  const mine = half(`broker_id = ${next(brokerId)}`);
  const system = half('broker_id IS NULL');
  return {
    sql: `SELECT * FROM (${mine}) AS mine UNION ALL SELECT * FROM (${system}) AS system_jobs
      ORDER BY id ${direction} LIMIT ${next(limit)}`,
    params,
  };
}

// When the oldest job of `type` for the broker that is still queued or running was asked for; null when there is
// none. A function of a reader, for the MCA page's bench server too (it runs without the app's container).
export async function activeJobSince(reader: SqlReader, brokerId: number, type: string): Promise<Date | null> {
  const [job] = await templateOf(reader)<{ created_at: unknown }>`
      SELECT created_at FROM jobs
      WHERE broker_id = ${brokerId} AND state IN ('queued', 'running') AND type = ${type} LIMIT 1`;
  return job ? reader.dialect.decodeTimestamp(job.created_at) : null;
}

@Injectable()
export class JobsRepository {
  constructor(private readonly sql: SqlService) {}

  // Null when the job's unique key is held by another job (ON CONFLICT against uq_jobs_unique_key).
  async insert(tx: Tx, job: NewJob): Promise<number | null> {
    const rows = await tx.run<{ id: number | string }>(
      `INSERT INTO jobs (type, payload, broker_id, state, unique_key, unique_scope, attempts, max_attempts, run_at, created_at)
       VALUES (${placeholders(tx.dialect, 1, 10)}) ON CONFLICT DO NOTHING RETURNING id`,
      [
        job.type,
        JSON.stringify(job.payload),
        job.brokerId,
        'queued',
        job.unique?.key ?? null,
        job.unique?.scope ?? 'forever',
        0,
        job.maxAttempts,
        tx.dialect.encodeTimestamp(job.runAt),
        tx.dialect.encodeTimestamp(job.createdAt),
      ],
    );
    return rows.length === 0 ? null : Number(rows[0].id);
  }

  async cancel(tx: Tx, jobId: number, now: Date): Promise<boolean> {
    const rows = await writeReturning<{ id: number }>(
      tx,
      `UPDATE jobs SET state = 'cancelled', finished_at = ${tx.dialect.placeholder(1)}, locked_by = NULL, locked_until = NULL
       WHERE id = ${tx.dialect.placeholder(2)} AND state IN ('queued', 'running') RETURNING id`,
      [tx.dialect.encodeTimestamp(now), jobId],
    );
    return rows.length > 0;
  }

  async get(jobId: number): Promise<JobView | null> {
    const [row] = await this.sql.run<JobRow>(
      `SELECT ${JOB_VIEW_COLUMNS} FROM jobs WHERE id = ${this.sql.dialect.placeholder(1)}`,
      [jobId],
    );
    return row ? toJobView(row, this.sql.dialect) : null;
  }

  // A dead job of this broker (or a broker-less one) queued again from its first attempt; null when there is none.
  async retry(tx: Tx, jobId: number, brokerId: number, now: Date): Promise<JobView | null> {
    const p = tx.dialect.placeholder;
    const [row] = await writeReturning<JobRow>(
      tx,
      `UPDATE jobs SET state = 'queued', attempts = 0, run_at = ${p(1)}, finished_at = NULL
       WHERE id = ${p(2)} AND state = 'dead' AND (broker_id = ${p(3)} OR broker_id IS NULL)
       RETURNING ${JOB_VIEW_COLUMNS}`,
      [tx.dialect.encodeTimestamp(now), jobId, brokerId],
    );
    return row ? toJobView(row, tx.dialect) : null;
  }

  async unfinished(type: string): Promise<number> {
    const [row] = await this.sql.query<{ n: number | string }>`
      SELECT count(*) AS n FROM jobs WHERE type = ${type} AND state IN ('queued', 'running')`;
    return Number(row?.n ?? 0);
  }

  // Whether a job of one of `types` is queued or running, whatever its broker.
  async anyActive(types: readonly string[]): Promise<boolean> {
    const [busy] = await this.sql.run<{ id: number }>(
      `SELECT id FROM jobs WHERE state IN ('queued', 'running') AND type IN (${placeholders(this.sql.dialect, 1, types.length)}) LIMIT 1`,
      types,
    );
    return busy !== undefined;
  }

  activeSince(brokerId: number, type: string): Promise<Date | null> {
    return activeJobSince(this.sql, brokerId, type);
  }

  async list(brokerId: number, filters: JobFilters, bound: KeysetBound | null, limit: number): Promise<JobView[]> {
    const { sql, params } = jobListStatement(this.sql.dialect, brokerId, filters, bound, limit);
    return (await this.sql.run<JobRow>(sql, params)).map((row) => toJobView(row, this.sql.dialect));
  }

  async live(brokerId: number): Promise<LiveJobCounts> {
    const p = this.sql.dialect.placeholder;
    const rows = await this.sql.run<{ state: string; retried: number | string; n: number | string }>(
      `SELECT state, CASE WHEN attempts > 0 THEN 1 ELSE 0 END AS retried, COUNT(*) AS n FROM jobs
       WHERE (broker_id = ${p(1)} OR broker_id IS NULL) AND state IN ('queued', 'running') GROUP BY state, retried`,
      [brokerId],
    );
    const count = (state: string, retried: number) =>
      rows
        .filter((row) => row.state === state && Number(row.retried) === retried)
        .reduce((sum, row) => sum + Number(row.n), 0);
    return {
      running: count('running', 0) + count('running', 1),
      waiting: count('queued', 0),
      retrying: count('queued', 1),
    };
  }

  // Jobs waiting in the queue (due or later), by type.
  async queuedByType(): Promise<{ type: string; count: number }[]> {
    const rows = await this.sql.query<{ type: string; n: number | string }>`
      SELECT type, count(*) AS n FROM jobs WHERE state = 'queued' GROUP BY type`;
    return rows.map((row) => ({ type: row.type, count: Number(row.n) }));
  }

  // The due time of the longest-waiting due job of each type.
  async oldestDueByType(now: Date): Promise<{ type: string; oldest: Date }[]> {
    const rows = await this.sql.query<{ type: string; oldest: unknown }>`
      SELECT type, min(run_at) AS oldest FROM jobs
      WHERE state = 'queued' AND run_at <= ${this.sql.dialect.encodeTimestamp(now)} GROUP BY type`;
    return rows.flatMap((row) => {
      const oldest = this.sql.dialect.decodeTimestamp(row.oldest);
      return oldest ? [{ type: row.type, oldest }] : [];
    });
  }

  // Up to `limit` jobs in `state` that were due and ended before `cutoff`, read through ix_jobs_state_run_at.
  async endedBefore(state: JobState, cutoff: Date, limit: number): Promise<number[]> {
    const p = this.sql.dialect.placeholder;
    const at = this.sql.dialect.encodeTimestamp(cutoff);
    const rows = await this.sql.run<{ id: number | string }>(
      `SELECT id FROM jobs WHERE state = ${p(1)} AND run_at < ${p(2)} AND finished_at < ${p(3)} LIMIT ${limit}`,
      [state, at, at],
    );
    return rows.map((row) => Number(row.id));
  }

  async delete(tx: Tx, ids: readonly number[]): Promise<void> {
    await tx.run(`DELETE FROM jobs WHERE id IN (${placeholders(tx.dialect, 1, ids.length)})`, ids);
  }

  // The worker's claim: a running job whose lease ran out on its last attempt is dead; then up to `limit` due jobs
  // (and running ones whose lease ran out) are leased to `owner` until `leaseUntil`, oldest due first.
  async claim(tx: Tx, owner: string, now: Date, leaseUntil: Date, limit: number, lastAttemptLost: string) {
    const p = tx.dialect.placeholder;
    const nowValue = tx.dialect.encodeTimestamp(now);
    await writeReturning(
      tx,
      `UPDATE jobs SET state = 'dead', finished_at = ${p(1)}, locked_by = NULL, locked_until = NULL, last_error = ${p(2)}
       WHERE state = 'running' AND locked_until < ${p(3)} AND attempts >= max_attempts RETURNING id`,
      [nowValue, lastAttemptLost, nowValue],
    );
    const rows = await writeReturning<ClaimedRow>(
      tx,
      `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ${p(1)}, locked_until = ${p(2)},
         started_at = ${p(3)}
       WHERE id IN (
         SELECT id FROM jobs
         WHERE (state = 'queued' AND run_at <= ${p(4)}) OR (state = 'running' AND locked_until < ${p(5)})
         ORDER BY run_at, id LIMIT ${p(6)}${tx.dialect.forUpdate({ skipLocked: true })})
       RETURNING id, type, payload, broker_id, attempts, max_attempts`,
      [owner, tx.dialect.encodeTimestamp(leaseUntil), nowValue, nowValue, nowValue, limit],
    );
    return rows.map(toClaimedJob).sort((a, b) => a.id - b.id);
  }

  // Keeps `owner`'s lease of a running job (with its progress when given); false once the job is no longer its own.
  async extendLease(
    tx: Tx,
    jobId: number,
    owner: string,
    until: Date,
    progress: { done: number; total: number | null } | null,
  ): Promise<boolean> {
    const p = tx.dialect.placeholder;
    const at = tx.dialect.encodeTimestamp(until);
    const rows = progress
      ? await writeReturning(
          tx,
          `UPDATE jobs SET locked_until = ${p(1)}, progress_done = ${p(2)}, progress_total = ${p(3)}
           WHERE id = ${p(4)} AND locked_by = ${p(5)} AND state = 'running' RETURNING id`,
          [at, progress.done, progress.total, jobId, owner],
        )
      : await writeReturning(
          tx,
          `UPDATE jobs SET locked_until = ${p(1)} WHERE id = ${p(2)} AND locked_by = ${p(3)} AND state = 'running' RETURNING id`,
          [at, jobId, owner],
        );
    return rows.length > 0;
  }

  // A failed attempt of `owner`'s: queued again for `runAt`.
  async requeue(tx: Tx, jobId: number, owner: string, runAt: Date, error: string): Promise<void> {
    const p = tx.dialect.placeholder;
    await writeReturning(
      tx,
      `UPDATE jobs SET state = 'queued', run_at = ${p(1)}, last_error = ${p(2)}, locked_by = NULL, locked_until = NULL
       WHERE id = ${p(3)} AND locked_by = ${p(4)} AND state = 'running' RETURNING id`,
      [tx.dialect.encodeTimestamp(runAt), error, jobId, owner],
    );
  }

  // False when the job was no longer `owner`'s (cancelled, taken over).
  async finish(
    tx: Tx,
    jobId: number,
    owner: string,
    state: 'succeeded' | 'dead',
    at: Date,
    error: string | null,
  ): Promise<boolean> {
    const p = tx.dialect.placeholder;
    const rows = await writeReturning(
      tx,
      `UPDATE jobs SET state = ${p(1)}, finished_at = ${p(2)}, locked_by = NULL, locked_until = NULL,
         last_error = COALESCE(${p(3)}, last_error)
       WHERE id = ${p(4)} AND locked_by = ${p(5)} AND state = 'running' RETURNING id`,
      [state, tx.dialect.encodeTimestamp(at), error, jobId, owner],
    );
    return rows.length > 0;
  }

  // `owner`'s running job handed back, for any instance to take at `at`.
  async handBack(tx: Tx, jobId: number, owner: string, at: Date, reason: string): Promise<void> {
    const p = tx.dialect.placeholder;
    await writeReturning(
      tx,
      `UPDATE jobs SET ${HAND_BACK_TO_QUEUE}, run_at = ${p(1)}, last_error = ${p(2)}
       WHERE id = ${p(3)} AND locked_by = ${p(4)} AND state = 'running' RETURNING id`,
      [tx.dialect.encodeTimestamp(at), reason, jobId, owner],
    );
  }

  // Every running job handed back, whoever ran it (a restored database: no instance runs them any more). Returns
  // how many.
  async handBackAll(tx: Tx, at: Date): Promise<number> {
    const rows = await writeReturning<{ id: number }>(
      tx,
      `UPDATE jobs SET ${HAND_BACK_TO_QUEUE}, run_at = ${tx.dialect.placeholder(1)} WHERE state = 'running' RETURNING id`,
      [tx.dialect.encodeTimestamp(at)],
    );
    return rows.length;
  }

  async schedule(tx: Tx, name: string): Promise<StoredSchedule | null> {
    const [row] = await tx.run<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM job_schedules WHERE name = ${tx.dialect.placeholder(1)}`,
      [name],
    );
    return row ? toSchedule(row, tx.dialect) : null;
  }

  async saveSchedule(tx: Tx, schedule: StoredSchedule, exists: boolean, now: Date): Promise<void> {
    const { name, type, payload, timeZone } = schedule;
    const everyMs = schedule.everyMs ?? null;
    const cron = schedule.cron ?? null;
    const next = tx.dialect.encodeTimestamp(schedule.nextRunAt);
    const updatedAt = tx.dialect.encodeTimestamp(now);
    if (exists)
      await tx.query`
        UPDATE job_schedules SET type = ${type}, payload = ${payload}, every_ms = ${everyMs},
          cron = ${cron}, time_zone = ${timeZone}, next_run_at = ${next}, updated_at = ${updatedAt}
        WHERE name = ${name}`;
    else
      await tx.query`
        INSERT INTO job_schedules (name, type, payload, every_ms, cron, time_zone, next_run_at, updated_at)
        VALUES (${name}, ${type}, ${payload}, ${everyMs}, ${cron}, ${timeZone}, ${next}, ${updatedAt})
        ON CONFLICT (name) DO NOTHING`;
  }

  async removeSchedule(tx: Tx, name: string): Promise<void> {
    await tx.query`DELETE FROM job_schedules WHERE name = ${name}`;
  }

  async nextRunAt(name: string): Promise<Date | null> {
    const [row] = await this.sql.query<{ next_run_at: unknown }>`
      SELECT next_run_at FROM job_schedules WHERE name = ${name}`;
    return row ? this.sql.dialect.decodeTimestamp(row.next_run_at) : null;
  }

  // A read outside any transaction: most ticks find nothing due and need no write transaction.
  async anyScheduleDue(now: Date): Promise<boolean> {
    const [due] = await this.sql.run<{ name: string }>(
      `SELECT name FROM job_schedules WHERE next_run_at <= ${this.sql.dialect.placeholder(1)} LIMIT 1`,
      [this.sql.dialect.encodeTimestamp(now)],
    );
    return due !== undefined;
  }

  // The due schedules, locked until the transaction ends (another instance's tick passes over them).
  async lockDueSchedules(tx: Tx, now: Date): Promise<StoredSchedule[]> {
    const rows = await tx.run<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM job_schedules
       WHERE next_run_at <= ${tx.dialect.placeholder(1)} ORDER BY name${tx.dialect.forUpdate({ skipLocked: true })}`,
      [tx.dialect.encodeTimestamp(now)],
    );
    return rows.map((row) => toSchedule(row, tx.dialect));
  }

  async moveSchedule(tx: Tx, name: string, nextRunAt: Date): Promise<void> {
    await tx.query`
      UPDATE job_schedules SET next_run_at = ${tx.dialect.encodeTimestamp(nextRunAt)} WHERE name = ${name}`;
  }
}
