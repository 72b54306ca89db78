import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../jobs/job-registry';
import { BackupRunHandler } from './backup-run.handler';
import { BackupSettingsService } from './backup-settings.service';
import { BackupService } from './backup.service';
import { BackupsController } from './backups.controller';
import { InstancePresence } from './instance-presence';

@Module({
  controllers: [BackupsController],
  providers: [BackupService, BackupSettingsService, BackupRunHandler, InstancePresence],
})
export class BackupsModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly handler: BackupRunHandler,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.handler);
  }
}
