import { Injectable } from '@nestjs/common';
import type { JobHandler } from '../jobs/job-handler';
import { ReportSchedulesService } from './report-schedules.service';

export const REPORT_SCHEDULE_TICK_JOB = 'report.schedule-tick';

// Recurring (every minute): turns every due schedule run into a report request, once.
@Injectable()
export class ReportScheduleTickHandler implements JobHandler<Record<string, never>> {
  readonly type = REPORT_SCHEDULE_TICK_JOB;

  constructor(private readonly schedules: ReportSchedulesService) {}

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    await this.schedules.runDue(new Date());
  }
}
