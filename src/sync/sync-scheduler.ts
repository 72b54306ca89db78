import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Broker } from '../brokers/broker.entity';
import { runForBroker } from '../common/request-context';
import type { AppConfig } from '../config/app.config';
import { SyncLease } from './sync-lease';
import { SyncService } from './sync.service';

const INTERVAL_NAME = 'tenant-sync';

// Syncs every broker every SYNC_INTERVAL_MINUTES (0: never), one broker after another. With several app
// instances each one ticks, but a broker synced recently (by any instance) is skipped.
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncScheduler.name);
  private readonly intervalMs: number;
  private ticking = false;

  constructor(
    @InjectRepository(Broker) private readonly brokers: Repository<Broker>,
    private readonly sync: SyncService,
    private readonly lease: SyncLease,
    private readonly registry: SchedulerRegistry,
    config: ConfigService,
  ) {
    this.intervalMs = config.getOrThrow<AppConfig>('app').syncIntervalMinutes * 60_000;
  }

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => void this.tick(), this.intervalMs),
    );
  }

  onApplicationShutdown(): void {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
  }

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const brokers = await this.brokers.find({ select: { id: true }, order: { id: 'ASC' } });
      for (const { id } of brokers) await this.syncBroker(id);
    } catch (error) {
      this.logger.error(`Scheduled sync: ${String(error)}`);
    } finally {
      this.ticking = false;
    }
  }

  private async syncBroker(brokerId: number): Promise<void> {
    const latest = await this.lease.latestStart(brokerId);
    if (latest && Date.now() - latest.startedAt.getTime() < this.intervalMs / 2) return;
    if (await runForBroker(brokerId, () => this.sync.start('schedule'))) await this.sync.whenIdle();
  }
}
