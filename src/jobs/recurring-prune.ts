import type { Clock } from '../common/clock';
import type { SqlService, Tx } from '../database/sql.service';
import type { JobHandler, RecurringDeclaration } from './job-handler';

// Upkeep that deletes what has outlived its use, run hourly by a schedule named after its job type.
export const HOURLY_PRUNE: RecurringDeclaration = { timing: { everyMs: 3_600_000 } };

// Rows deleted per transaction: short, so that no other write waits long behind the upkeep.
export const PRUNE_BATCH = 500;

export abstract class RecurringPrune implements JobHandler<Record<string, never>> {
  protected constructor(
    protected readonly sql: SqlService,
    private readonly clock: Clock,
  ) {}

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    await this.prune(this.clock.now());
  }

  // Returns how many things it deleted; `now` is a parameter so that tests can move the clock.
  abstract prune(now: Date): Promise<number>;

  // Deletes the rows that `nextBatch` reads (at most PRUNE_BATCH ids) with `deleteBatch`, a transaction per batch,
  // until it reads no more; `beforeDelete` cleans up what the rows point to. Returns how many were deleted.
  protected async deleteInBatches(
    nextBatch: () => Promise<number[]>,
    deleteBatch: (tx: Tx, ids: number[]) => Promise<void>,
    beforeDelete?: (ids: number[]) => Promise<void>,
  ): Promise<number> {
    let deleted = 0;
    for (;;) {
      const ids = await nextBatch();
      if (ids.length === 0) return deleted;
      await beforeDelete?.(ids);
      await this.sql.transaction((tx) => deleteBatch(tx, ids));
      deleted += ids.length;
      if (ids.length < PRUNE_BATCH) return deleted;
    }
  }
}
