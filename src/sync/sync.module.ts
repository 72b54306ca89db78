import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PartnerCenterSettingsModule } from '../partner-center-settings/partner-center-settings.module';
import { SyncStatusSource } from '../tenants/sync-status';
import { TenantsModule } from '../tenants/tenants.module';
import { SyncJobHandler } from './sync-job.handler';
import { SyncLease } from './sync-lease';
import { SyncRun } from './sync-run.entity';
import { SyncRunner } from './sync-runner';
import { SyncScheduler } from './sync-scheduler';
import { AcceptanceCheckService } from './acceptance-check.service';
import { SyncController } from './sync.controller';
import { TenantAcceptanceController } from './tenant-acceptance.controller';
import { SyncService } from './sync.service';
import { SyncRunsRepository } from './sync.repository';

// Global so that the MCA page (tenants, below sync) finds the sync status it shows through its own interface.
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([SyncRun]), PartnerCenterSettingsModule, TenantsModule],
  controllers: [SyncController, TenantAcceptanceController],
  providers: [
    AcceptanceCheckService,
    SyncLease,
    SyncRunsRepository,
    SyncRunner,
    SyncService,
    SyncScheduler,
    SyncJobHandler,
    { provide: SyncStatusSource, useExisting: SyncService },
  ],
  exports: [SyncService, SyncStatusSource, AcceptanceCheckService],
})
export class SyncModule {}
