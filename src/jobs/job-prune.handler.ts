import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { JobHandler } from './job-handler';
import { JobsRepository } from './jobs.repository';
import { HOURLY_PRUNE, PRUNE_BATCH, RecurringPrune } from './recurring-prune';

export const JOB_PRUNE_JOB = 'jobs.prune';
const DAY_MS = 86_400_000;

// Deletes jobs that ended JOB_RETENTION_DAYS ago, in short transactions (RecurringPrune.deleteInBatches). A
// finished job's unique key no longer guards anything by then: the work it did is recorded in its own rows (an
// attestation's state, a sent message, a report), which refuse a second run themselves.
@Injectable()
@JobHandler({ type: JOB_PRUNE_JOB, recurring: HOURLY_PRUNE })
export class JobPruneHandler extends RecurringPrune {
  private readonly retentionMs: number;

  constructor(
    sql: SqlService,
    clock: Clock,
    private readonly jobs: JobsRepository,
    @InjectAppConfig() config: AppConfig,
  ) {
    super(sql, clock);
    this.retentionMs = config.jobs.retentionDays * DAY_MS;
  }

  // The jobs due before the cutoff are read through ix_jobs_state_run_at; each must also have ended before it.
  async prune(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionMs);
    let pruned = 0;
    for (const state of ['succeeded', 'dead', 'cancelled'] as const) {
      pruned += await this.deleteInBatches(
        () => this.jobs.endedBefore(state, cutoff, PRUNE_BATCH),
        (tx, ids) => this.jobs.delete(tx, ids),
      );
    }
    return pruned;
  }
}
