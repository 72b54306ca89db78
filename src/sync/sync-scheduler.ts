import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { BrokersRepository } from '../brokers/brokers.repository';
import { Clock } from '../common/clock';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import type { JobHandler } from '../jobs/job-handler';
import { RecurringJobs } from '../jobs/recurring-jobs.service';
import { TENANT_SYNC_SCHEDULE, TENANT_SYNC_SCHEDULE_JOB } from './sync-jobs';
import { SyncRunsRepository } from './sync.repository';
import { SyncService } from './sync.service';

// Every SYNC_INTERVAL_MINUTES (0: never) a recurring job asks for a sync of every broker; each broker's sync is
// its own job, so brokers are synced independently and once at a time whatever the number of instances. A broker
// synced recently (a manual refresh) is skipped.
@Injectable()
export class SyncScheduler implements JobHandler<Record<string, never>>, OnApplicationBootstrap {
  readonly type = TENANT_SYNC_SCHEDULE_JOB;
  private readonly intervalMs: number;

  constructor(
    private readonly sql: SqlService,
    private readonly sync: SyncService,
    private readonly runs: SyncRunsRepository,
    private readonly recurring: RecurringJobs,
    private readonly brokers: BrokersRepository,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.intervalMs = config.syncIntervalMinutes * 60_000;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.intervalMs <= 0) await this.recurring.remove(TENANT_SYNC_SCHEDULE);
    else await this.recurring.define({ name: TENANT_SYNC_SCHEDULE, type: this.type, everyMs: this.intervalMs });
  }

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    for (const brokerId of await this.brokers.ids()) {
      const latest = await this.runs.latestStart(brokerId);
      if (latest && this.clock.nowMs() - latest.startedAt.getTime() < this.intervalMs / 2) continue;
      await this.sql.transaction((tx) => this.sync.enqueue(tx, brokerId, 'schedule'));
    }
  }
}
