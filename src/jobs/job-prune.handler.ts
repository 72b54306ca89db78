import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { RecurringJobs } from './recurring-jobs.service';
import { PRUNE_BATCH, RecurringPrune } from './recurring-prune';

export const JOB_PRUNE_JOB = 'jobs.prune';
const DAY_MS = 86_400_000;

// Deletes jobs that ended JOB_RETENTION_DAYS ago, in short transactions (RecurringPrune.deleteInBatches). A
// finished job's unique key no longer guards anything by then: the work it did is recorded in its own rows (an
// attestation's state, a sent message, a report), which refuse a second run themselves.
@Injectable()
export class JobPruneHandler extends RecurringPrune {
  readonly type = JOB_PRUNE_JOB;
  private readonly retentionMs: number;

  constructor(sql: SqlService, recurring: RecurringJobs, config: ConfigService) {
    super(sql, recurring);
    this.retentionMs = config.getOrThrow<AppConfig>('app').jobs.retentionDays * DAY_MS;
  }

  // The jobs due before the cutoff are read through ix_jobs_state_run_at; each must also have ended before it.
  async prune(now: Date): Promise<number> {
    const p = this.sql.dialect.placeholder;
    const cutoff = this.sql.dialect.encodeTimestamp(new Date(now.getTime() - this.retentionMs));
    let pruned = 0;
    for (const state of ['succeeded', 'dead', 'cancelled']) {
      pruned += await this.deleteInBatches('jobs', () =>
        this.sql.run<{ id: number | string }>(
          `SELECT id FROM jobs WHERE state = ${p(1)} AND run_at < ${p(2)} AND finished_at < ${p(3)} LIMIT ${PRUNE_BATCH}`,
          [state, cutoff, cutoff],
        ),
      );
    }
    return pruned;
  }
}
