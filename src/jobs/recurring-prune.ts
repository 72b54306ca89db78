import type { OnApplicationBootstrap } from '@nestjs/common';
import type { JobHandler } from './job-handler';
import type { RecurringJobs } from './recurring-jobs.service';

const HOURLY = 3_600_000;

// Upkeep that deletes what has outlived its use, run hourly by a schedule named after its job type.
export abstract class RecurringPrune implements JobHandler<Record<string, never>>, OnApplicationBootstrap {
  abstract readonly type: string;

  protected constructor(private readonly recurring: RecurringJobs) {}

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
}
