import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { RecurringJobs } from './recurring-jobs.service';
import { RecurringPrune } from './recurring-prune';

export const JOB_PRUNE_JOB = 'jobs.prune';
const PRUNE_BATCH = 500;
const DAY_MS = 86_400_000;

// Deletes jobs that ended JOB_RETENTION_DAYS ago, in short transactions of PRUNE_BATCH rows. A finished job's
// unique key no longer guards anything by then: the work it did is recorded in its own rows (an attestation's
// state, a sent message, a report), which refuse a second run themselves.
@Injectable()
export class JobPruneHandler extends RecurringPrune {
  readonly type = JOB_PRUNE_JOB;
  private readonly retentionMs: number;

  constructor(
    private readonly sql: SqlService,
    recurring: RecurringJobs,
    config: ConfigService,
  ) {
    super(recurring);
    this.retentionMs = config.getOrThrow<AppConfig>('app').jobs.retentionDays * DAY_MS;
  }

  // The jobs due before the cutoff are read through ix_jobs_state_run_at; each must also have ended before it.
  async prune(now: Date): Promise<number> {
    const p = this.sql.dialect.placeholder;
    const cutoff = this.sql.dialect.encodeTimestamp(new Date(now.getTime() - this.retentionMs));
    let pruned = 0;
    for (const state of ['succeeded', 'dead', 'cancelled']) {
      for (;;) {
        const rows = await this.sql.run<{ id: number | string }>(
          `SELECT id FROM jobs WHERE state = ${p(1)} AND run_at < ${p(2)} AND finished_at < ${p(3)} LIMIT ${PRUNE_BATCH}`,
          [state, cutoff, cutoff],
        );
        if (rows.length === 0) break;
        const ids = rows.map((row) => Number(row.id));
        await this.sql.transaction((tx) =>
          tx.run(`DELETE FROM jobs WHERE id IN (${ids.map((_, i) => p(i + 1)).join(', ')})`, ids),
        );
        pruned += ids.length;
        if (rows.length < PRUNE_BATCH) break;
      }
    }
    return pruned;
  }
}
