import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from './audit/audit.module';
import { BackupService } from './backups/backup.service';
import { CommonModule } from './common/common.module';
import { appConfig } from './config/app.config';
import { DatabaseModule } from './database/database.module';
import { UsersModule } from './users/users.module';

// Just what the command line needs: configuration, the database (migrated), users, and backups.
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
    DatabaseModule,
    CommonModule,
    AuditModule,
    UsersModule,
  ],
  providers: [BackupService],
})
export class CliModule {}
