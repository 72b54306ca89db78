import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobRegistry } from '../jobs/job-registry';
import { PartnerCenterSettingsModule } from '../partner-center-settings/partner-center-settings.module';
import { SyncJobHandler } from './sync-job.handler';
import { SyncLease } from './sync-lease';
import { SyncRun } from './sync-run.entity';
import { SyncRunner } from './sync-runner';
import { SyncScheduler } from './sync-scheduler';
import { SyncController } from './sync.controller';
import { SyncService } from './sync.service';

@Module({
  imports: [TypeOrmModule.forFeature([SyncRun]), PartnerCenterSettingsModule],
  controllers: [SyncController],
  providers: [SyncLease, SyncRunner, SyncService, SyncScheduler, SyncJobHandler],
  exports: [SyncService],
})
export class SyncModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly syncJob: SyncJobHandler,
    private readonly scheduler: SyncScheduler,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.syncJob);
    this.registry.register(this.scheduler);
  }
}
