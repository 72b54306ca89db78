import { Injectable } from '@nestjs/common';
import { BrokersRepository } from '../brokers/brokers.repository';
import { Clock } from '../common/clock';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { JobHandler } from '../jobs/job-handler';
import { TENANT_SYNC_SCHEDULE, TENANT_SYNC_SCHEDULE_JOB } from './sync-jobs';
import { SyncRunsRepository } from './sync.repository';
import { SyncService } from './sync.service';

// Every SYNC_INTERVAL_MINUTES (0: never) a recurring job asks for a sync of every broker; each broker's sync is
// its own job, so brokers are synced independently and once at a time whatever the number of instances. A broker
// synced recently (a manual refresh) is skipped.
@Injectable()
@JobHandler({
  type: TENANT_SYNC_SCHEDULE_JOB,
  recurring: {
    name: TENANT_SYNC_SCHEDULE,
    timing: (config) => (config.syncIntervalMinutes > 0 ? { everyMs: config.syncIntervalMinutes * 60_000 } : null),
  },
})
export class SyncScheduler implements JobHandler<Record<string, never>> {
  private readonly intervalMs: number;

  constructor(
    private readonly sql: SqlService,
    private readonly sync: SyncService,
    private readonly runs: SyncRunsRepository,
    private readonly brokers: BrokersRepository,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.intervalMs = config.syncIntervalMinutes * 60_000;
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
