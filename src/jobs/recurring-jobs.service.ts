import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { JobQueue } from './job-queue.service';
import { advance, nextDueAfter, validateTiming, type ScheduleTiming } from './schedule-times';

export interface RecurringJobDefinition extends ScheduleTiming {
  name: string;
  type: string;
  payload?: Record<string, unknown>;
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

const TICK_INTERVAL = 'recurring-jobs';

const timingOf = (row: ScheduleRow): ScheduleTiming => ({
  everyMs: row.every_ms === null ? undefined : Number(row.every_ms),
  cron: row.cron ?? undefined,
  timeZone: row.time_zone,
});

// Schedules live in job_schedules; every instance ticks, and each due time becomes one job across instances
// (the job's unique key is the schedule's name and due time, and the schedule row moves on in the same
// transaction). After downtime a schedule fires once, not once per missed slot.
@Injectable()
export class RecurringJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecurringJobs.name);
  private ticking = false;

  constructor(
    private readonly sql: SqlService,
    private readonly queue: JobQueue,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService,
  ) {}

  // Upserts by name; an unchanged definition keeps its next due time, a changed one starts from now.
  async define(def: RecurringJobDefinition, now = new Date()): Promise<void> {
    if (!/^[\w.:-]{1,100}$/.test(def.name)) throw new Error(`Not a schedule name: "${def.name}"`);
    validateTiming(def);
    const payload = JSON.stringify(def.payload ?? {});
    const timeZone = def.timeZone ?? 'UTC';
    await this.sql.transaction(async (tx) => {
      const [existing] = await tx.query<ScheduleRow>`
        SELECT name, type, payload, every_ms, cron, time_zone FROM job_schedules WHERE name = ${def.name}`;
      const same =
        existing &&
        existing.type === def.type &&
        existing.payload === payload &&
        (existing.every_ms === null ? undefined : Number(existing.every_ms)) === def.everyMs &&
        (existing.cron ?? undefined) === def.cron &&
        existing.time_zone === timeZone;
      if (same) return;
      const next = tx.dialect.encodeTimestamp(nextDueAfter(def, now));
      const updatedAt = tx.dialect.encodeTimestamp(now);
      if (existing) {
        await tx.query`
          UPDATE job_schedules SET type = ${def.type}, payload = ${payload}, every_ms = ${def.everyMs ?? null},
            cron = ${def.cron ?? null}, time_zone = ${timeZone}, next_run_at = ${next}, updated_at = ${updatedAt}
          WHERE name = ${def.name}`;
      } else {
        await tx.query`
          INSERT INTO job_schedules (name, type, payload, every_ms, cron, time_zone, next_run_at, updated_at)
          VALUES (${def.name}, ${def.type}, ${payload}, ${def.everyMs ?? null}, ${def.cron ?? null}, ${timeZone},
            ${next}, ${updatedAt})
          ON CONFLICT (name) DO NOTHING`;
      }
    });
  }

  async remove(name: string): Promise<void> {
    await this.sql.transaction((tx) => tx.query`DELETE FROM job_schedules WHERE name = ${name}`);
  }

  // The next due time of a schedule (pages and tests), or null when there is no such schedule.
  async nextRunAt(name: string): Promise<Date | null> {
    const [row] = await this.sql.query<ScheduleRow>`SELECT next_run_at FROM job_schedules WHERE name = ${name}`;
    return row ? this.sql.dialect.decodeTimestamp(row.next_run_at) : null;
  }

  // Enqueues every schedule that is due at `now` (a parameter so that tests drive the clock). Returns the jobs
  // enqueued by this call.
  async tick(now = new Date()): Promise<number[]> {
    // A read first: most ticks find nothing due and need no write transaction.
    const [anyDue] = await this.sql.run<{ name: string }>(
      `SELECT name FROM job_schedules WHERE next_run_at <= ${this.sql.dialect.placeholder(1)} LIMIT 1`,
      [this.sql.dialect.encodeTimestamp(now)],
    );
    if (!anyDue) return [];
    return this.sql.transaction(async (tx) => {
      const lock = tx.dialect.name === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
      const due = await tx.run<ScheduleRow>(
        `SELECT name, type, payload, every_ms, cron, time_zone, next_run_at FROM job_schedules
         WHERE next_run_at <= ${tx.dialect.placeholder(1)} ORDER BY name ${lock}`,
        [tx.dialect.encodeTimestamp(now)],
      );
      const enqueued: number[] = [];
      for (const row of due) {
        const nextRunAt = tx.dialect.decodeTimestamp(row.next_run_at)!;
        const step = advance(timingOf(row), nextRunAt, now);
        if (step.due) {
          const jobId = await this.queue.enqueue(tx, row.type, JSON.parse(row.payload) as Record<string, unknown>, {
            uniqueKey: `schedule:${row.name}:${step.due.toISOString()}`,
          });
          if (jobId !== null) enqueued.push(jobId);
        }
        await tx.query`
          UPDATE job_schedules SET next_run_at = ${tx.dialect.encodeTimestamp(step.next)} WHERE name = ${row.name}`;
      }
      return enqueued;
    });
  }

  onApplicationBootstrap(): void {
    const { enabled, pollMs } = this.config.getOrThrow<AppConfig>('app').jobs;
    if (!enabled) return;
    this.scheduler.addInterval(
      TICK_INTERVAL,
      setInterval(() => void this.tickSafely(), pollMs),
    );
  }

  onApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', TICK_INTERVAL)) this.scheduler.deleteInterval(TICK_INTERVAL);
  }

  private async tickSafely(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.tick();
    } catch (error) {
      this.logger.error(`Recurring jobs: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
      this.ticking = false;
    }
  }
}
