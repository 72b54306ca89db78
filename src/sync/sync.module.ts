import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Broker } from '../brokers/broker.entity';
import { PartnerCenterSettingsModule } from '../partner-center-settings/partner-center-settings.module';
import { SyncLease } from './sync-lease';
import { SyncRun } from './sync-run.entity';
import { SyncRunner } from './sync-runner';
import { SyncScheduler } from './sync-scheduler';
import { SyncController } from './sync.controller';
import { SyncService } from './sync.service';

@Module({
  imports: [TypeOrmModule.forFeature([SyncRun, Broker]), PartnerCenterSettingsModule],
  controllers: [SyncController],
  providers: [SyncLease, SyncRunner, SyncService, SyncScheduler],
  exports: [SyncService],
})
export class SyncModule {}
