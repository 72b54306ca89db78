import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppInstanceRecord } from './app-instance.entity';
import { BackupRun } from './backup-run.entity';
import { BackupRunHandler } from './backup-run.handler';
import { BackupSettingsRecord } from './backup-settings.entity';
import { BackupSettingsService } from './backup-settings.service';
import { BackupService } from './backup.service';
import { BackupsController } from './backups.controller';
import { BackupsRepository } from './backups.repository';
import { InstancePresence } from './instance-presence';

@Module({
  imports: [TypeOrmModule.forFeature([BackupSettingsRecord, BackupRun, AppInstanceRecord])],
  controllers: [BackupsController],
  providers: [BackupsRepository, BackupService, BackupSettingsService, BackupRunHandler, InstancePresence],
})
export class BackupsModule {}
