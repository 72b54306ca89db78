import { Injectable } from '@nestjs/common';
import { SqlService } from '../database/sql.service';
import { RecurringJobs } from '../jobs/recurring-jobs.service';
import { PRUNE_BATCH, RecurringPrune } from '../jobs/recurring-prune';
import { ReportFiles, sweepStaleTempFiles } from './report-files';

export const REPORT_PRUNE_JOB = 'report.prune';

// Deletes reports 7 days old, their files first (a transaction each, so that no other write waits behind a large
// one), then their rows; and this machine's temporary files of builds that died. A report's mail has long been
// sent by then (or given up: the outbox tries for hours, not days).
@Injectable()
export class ReportPruneHandler extends RecurringPrune {
  readonly type = REPORT_PRUNE_JOB;

  constructor(
    sql: SqlService,
    recurring: RecurringJobs,
    private readonly files: ReportFiles,
  ) {
    super(sql, recurring);
  }

  async prune(now: Date): Promise<number> {
    await sweepStaleTempFiles(now);
    const p = this.sql.dialect.placeholder;
    return this.deleteInBatches(
      'report_requests',
      () =>
        this.sql.run<{ id: number | string }>(
          `SELECT id FROM report_requests WHERE expires_at <= ${p(1)} AND state IN ('sent', 'failed') ORDER BY id LIMIT ${PRUNE_BATCH}`,
          [this.sql.dialect.encodeTimestamp(now)],
        ),
      async (expired) => {
        for (const row of expired) await this.files.remove(Number(row.id));
      },
    );
  }
}
