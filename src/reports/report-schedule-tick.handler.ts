import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { JobHandler } from '../jobs/job-handler';
import { ReportRefusals } from './report-refusals';
import { ReportSchedulesService } from './report-schedules.service';

export const REPORT_SCHEDULE_TICK_JOB = 'report.schedule-tick';

// Recurring (every minute, and at start): turns every due schedule run into a report request, once; and records
// the refused report requests of the last busy minute (ReportRefusals).
@Injectable()
@JobHandler({ type: REPORT_SCHEDULE_TICK_JOB, recurring: { timing: { everyMs: 60_000 }, atStart: true } })
export class ReportScheduleTickHandler implements JobHandler<Record<string, never>> {
  constructor(
    private readonly schedules: ReportSchedulesService,
    private readonly refusals: ReportRefusals,
    private readonly clock: Clock,
  ) {}

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    const now = this.clock.now();
    await this.schedules.runDue(now);
    await this.refusals.flush(now);
  }
}
