import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from './audit/audit.module';
import { BackupService } from './backups/backup.service';
import { BackupsRepository } from './backups/backups.repository';
import { CommonModule } from './common/common.module';
import { appConfig } from './config/app.config';
import { DatabaseModule } from './database/database.module';
import { JobsRepository } from './jobs/jobs.repository';
import { UsersModule } from './users/users.module';

// Just what the command line needs: configuration, the database (migrated), users, and backups (which hand the
// jobs a restored database caught running back to the queue).
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
    DatabaseModule,
    CommonModule,
    AuditModule,
    UsersModule,
  ],
  providers: [BackupService, BackupsRepository, JobsRepository],
})
export class CliModule {}
