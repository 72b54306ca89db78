import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { JobQueue } from './job-queue.service';
import { JobRegistry } from './job-registry';
import { JobsRepository } from './jobs.repository';
import { advance, nextDueAfter, validateTiming, type ScheduleTiming } from './schedule-times';

export interface RecurringJobDefinition extends ScheduleTiming {
  name: string;
  type: string;
  payload?: Record<string, unknown>;
}

const TICK_INTERVAL = 'recurring-jobs';

// Schedules live in job_schedules; every instance ticks, and each due time becomes one job across instances
// (the job's unique key is the schedule's name and due time, and the schedule row moves on in the same
// transaction). After downtime a schedule fires once, not once per missed slot.
//
// The app's own schedules are declared on their handlers (@JobHandler's `recurring`) and defined at start; a
// schedule that a person sets (the backup's) is defined and removed at run time through define() and remove().
@Injectable()
export class RecurringJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecurringJobs.name);
  private ticking = false;

  constructor(
    private readonly sql: SqlService,
    private readonly jobs: JobsRepository,
    private readonly queue: JobQueue,
    private readonly registry: JobRegistry,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Clock,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  // Upserts by name; an unchanged definition keeps its next due time, a changed one starts from now.
  async define(def: RecurringJobDefinition, now = this.clock.now()): Promise<void> {
    if (!/^[\w.:-]{1,100}$/.test(def.name)) throw new Error(`Not a schedule name: "${def.name}"`);
    validateTiming(def);
    const payload = JSON.stringify(def.payload ?? {});
    const timeZone = def.timeZone ?? 'UTC';
    await this.sql.transaction(async (tx) => {
      const existing = await this.jobs.schedule(tx, def.name);
      const same =
        existing &&
        existing.type === def.type &&
        existing.payload === payload &&
        existing.everyMs === def.everyMs &&
        existing.cron === def.cron &&
        existing.timeZone === timeZone;
      if (same) return;
      const schedule = { ...def, payload, timeZone, nextRunAt: nextDueAfter(def, now) };
      await this.jobs.saveSchedule(tx, schedule, existing !== null, now);
    });
  }

  async remove(name: string): Promise<void> {
    await this.sql.transaction((tx) => this.jobs.removeSchedule(tx, name));
  }

  // The next due time of a schedule (pages and tests), or null when there is no such schedule.
  nextRunAt(name: string): Promise<Date | null> {
    return this.jobs.nextRunAt(name);
  }

  // Enqueues every schedule that is due at `now`. Returns the jobs enqueued by this call.
  async tick(now = this.clock.now()): Promise<number[]> {
    if (!(await this.jobs.anyScheduleDue(now))) return [];
    return this.sql.transaction(async (tx) => {
      const enqueued: number[] = [];
      for (const schedule of await this.jobs.lockDueSchedules(tx, now)) {
        const step = advance(schedule, schedule.nextRunAt, now);
        if (step.due) {
          const payload = JSON.parse(schedule.payload) as Record<string, unknown>;
          const key = `schedule:${schedule.name}:${step.due.toISOString()}`;
          const jobId = await this.queue.enqueueOnce(tx, schedule.type, payload, { key, scope: 'forever' });
          if (jobId !== null) enqueued.push(jobId);
        }
        await this.jobs.moveSchedule(tx, schedule.name, step.next);
      }
      return enqueued;
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.defineDeclared();
    const { enabled, pollMs } = this.config.jobs;
    if (!enabled) return;
    this.scheduler.addInterval(
      TICK_INTERVAL,
      setInterval(() => void this.tickSafely(), pollMs),
    );
  }

  onApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', TICK_INTERVAL)) this.scheduler.deleteInterval(TICK_INTERVAL);
  }

  // The schedules the handlers declare, as the configuration sets them; one the configuration turns off is removed.
  private async defineDeclared(): Promise<void> {
    for (const { type, recurring } of this.registry.declarations()) {
      if (!recurring) continue;
      const name = recurring.name ?? type;
      const timing = typeof recurring.timing === 'function' ? recurring.timing(this.config) : recurring.timing;
      if (!timing) {
        await this.remove(name);
        continue;
      }
      await this.define({ ...timing, name, type });
      // A run missed while the app was down goes at start, not a whole interval later (one such run at a time).
      if (recurring.atStart)
        await this.sql.transaction((tx) =>
          this.queue.enqueueOnce(tx, type, {}, { key: `${name}:start`, scope: 'active' }),
        );
    }
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
