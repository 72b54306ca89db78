import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { JobHandler } from '../jobs/job-handler';
import { JobQueue } from '../jobs/job-queue.service';
import { RecurringJobs } from '../jobs/recurring-jobs.service';
import { SqlService } from '../database/sql.service';
import { ReportRefusals } from './report-refusals';
import { ReportSchedulesService } from './report-schedules.service';

export const REPORT_SCHEDULE_TICK_JOB = 'report.schedule-tick';

// Recurring (every minute): turns every due schedule run into a report request, once; and records the refused
// report requests of the last busy minute (ReportRefusals).
@Injectable()
export class ReportScheduleTickHandler implements JobHandler<Record<string, never>>, OnApplicationBootstrap {
  readonly type = REPORT_SCHEDULE_TICK_JOB;

  constructor(
    private readonly schedules: ReportSchedulesService,
    private readonly recurring: RecurringJobs,
    private readonly jobs: JobQueue,
    private readonly sql: SqlService,
    private readonly refusals: ReportRefusals,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.recurring.define({ name: REPORT_SCHEDULE_TICK_JOB, type: REPORT_SCHEDULE_TICK_JOB, everyMs: 60_000 });
    // A run missed while the app was down goes at start, not a minute later (one such tick at a time).
    await this.sql.transaction((tx) =>
      this.jobs.enqueue(
        tx,
        REPORT_SCHEDULE_TICK_JOB,
        {},
        { uniqueKey: `${REPORT_SCHEDULE_TICK_JOB}:start`, uniqueScope: 'active' },
      ),
    );
  }

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    const now = new Date();
    await this.schedules.runDue(now);
    await this.refusals.flush(now);
  }
}
