import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SqlService } from '../database/sql.service';
import { JobHandler } from '../jobs/job-handler';
import { HOURLY_PRUNE, PRUNE_BATCH, RecurringPrune } from '../jobs/recurring-prune';
import { ReportFiles, sweepStaleTempFiles } from './report-files';
import { ReportsRepository } from './reports.repository';

export const REPORT_PRUNE_JOB = 'report.prune';

// Deletes reports 7 days old, their files first (a transaction each, so that no other write waits behind a large
// one), then their rows; and this machine's temporary files of builds that died. A report's mail has long been
// sent by then (or given up: the outbox tries for hours, not days).
@Injectable()
@JobHandler({ type: REPORT_PRUNE_JOB, recurring: HOURLY_PRUNE })
export class ReportPruneHandler extends RecurringPrune {
  constructor(
    sql: SqlService,
    clock: Clock,
    private readonly reports: ReportsRepository,
    private readonly files: ReportFiles,
  ) {
    super(sql, clock);
  }

  async prune(now: Date): Promise<number> {
    await sweepStaleTempFiles(now);
    return this.deleteInBatches(
      () => this.reports.expiredRequestIds(now, PRUNE_BATCH),
      (tx, ids) => this.reports.deleteRequests(tx, ids),
      async (expired) => {
        for (const id of expired) await this.files.remove(id);
      },
    );
  }
}
