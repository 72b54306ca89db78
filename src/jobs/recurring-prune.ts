import type { OnApplicationBootstrap } from '@nestjs/common';
import type { SqlService } from '../database/sql.service';
import type { JobHandler } from './job-handler';
import type { RecurringJobs } from './recurring-jobs.service';

const HOURLY = 3_600_000;
// Rows deleted per transaction: short, so that no other write waits long behind the upkeep.
export const PRUNE_BATCH = 500;

// Upkeep that deletes what has outlived its use, run hourly by a schedule named after its job type.
export abstract class RecurringPrune implements JobHandler<Record<string, never>>, OnApplicationBootstrap {
  abstract readonly type: string;

  protected constructor(
    protected readonly sql: SqlService,
    private readonly recurring: RecurringJobs,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.recurring.define({ name: this.type, type: this.type, everyMs: HOURLY });
  }

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    await this.prune(new Date());
  }

  // Returns how many things it deleted; `now` is a parameter so that tests can move the clock.
  abstract prune(now: Date): Promise<number>;

  // Deletes from `table` the rows that `nextBatch` reads (at most PRUNE_BATCH, by id), a transaction per batch,
  // until it reads no more; `beforeDelete` cleans up what the rows point to. Returns how many were deleted.
  protected async deleteInBatches<Row extends { id: number | string }>(
    table: string,
    nextBatch: () => Promise<Row[]>,
    beforeDelete?: (rows: Row[]) => Promise<void>,
  ): Promise<number> {
    const p = this.sql.dialect.placeholder;
    let deleted = 0;
    for (;;) {
      const rows = await nextBatch();
      if (rows.length === 0) return deleted;
      await beforeDelete?.(rows);
      const ids = rows.map((row) => Number(row.id));
      await this.sql.transaction((tx) =>
        tx.run(`DELETE FROM ${table} WHERE id IN (${ids.map((_, i) => p(i + 1)).join(', ')})`, ids),
      );
      deleted += ids.length;
      if (rows.length < PRUNE_BATCH) return deleted;
    }
  }
}
