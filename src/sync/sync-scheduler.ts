import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { JobHandler } from '../jobs/job-handler';
import { SyncLease } from './sync-lease';
import { TENANT_SYNC_SCHEDULE, TENANT_SYNC_SCHEDULE_JOB } from './sync-jobs';
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
    private readonly lease: SyncLease,
    config: ConfigService,
  ) {
    this.intervalMs = config.getOrThrow<AppConfig>('app').syncIntervalMinutes * 60_000;
  }

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    const brokers = await this.sql.query<{ id: number | string }>`SELECT id FROM brokers ORDER BY id`;
    for (const broker of brokers) {
      const brokerId = Number(broker.id);
      const latest = await this.lease.latestStart(brokerId);
      if (latest && Date.now() - latest.startedAt.getTime() < this.intervalMs / 2) continue;
      await this.sql.transaction((tx) => this.sync.enqueue(tx, brokerId, 'schedule'));
    }
  }
}
