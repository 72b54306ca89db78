import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { rm } from 'node:fs/promises';
import type { AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { RecurringJobs } from '../jobs/recurring-jobs.service';
import { PRUNE_BATCH, RecurringPrune } from '../jobs/recurring-prune';
import type { ReportFormat } from './report-columns';
import { reportFilePath } from './report-files';

export const REPORT_PRUNE_JOB = 'report.prune';

interface ExpiredRow {
  id: number | string;
  broker_id: number | string;
  format: ReportFormat;
}

// Deletes reports 7 days old, their files first, then their rows. A report whose mail is still
// waiting in the outbox keeps its file until then (the outbox attaches it when it sends).
@Injectable()
export class ReportPruneHandler extends RecurringPrune {
  readonly type = REPORT_PRUNE_JOB;
  private readonly dataDir: string;

  constructor(sql: SqlService, recurring: RecurringJobs, config: ConfigService) {
    super(sql, recurring);
    this.dataDir = config.getOrThrow<AppConfig>('app').dataDir;
  }

  async prune(now: Date): Promise<number> {
    const p = this.sql.dialect.placeholder;
    return this.deleteInBatches(
      'report_requests',
      () =>
        this.sql.run<ExpiredRow>(
          `SELECT id, broker_id, format FROM report_requests WHERE expires_at <= ${p(1)} AND state IN ('sent', 'failed') ORDER BY id LIMIT ${PRUNE_BATCH}`,
          [this.sql.dialect.encodeTimestamp(now)],
        ),
      async (expired) => {
        for (const row of expired) {
          const file = reportFilePath(this.dataDir, Number(row.broker_id), Number(row.id), row.format);
          await Promise.all([file, `${file}.gz`, `${file}.part`].map((path) => rm(path, { force: true })));
        }
      },
    );
  }
}
