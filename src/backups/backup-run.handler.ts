import { Injectable } from '@nestjs/common';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Clock } from '../common/clock';
import { JobHandler, PermanentJobError } from '../jobs/job-handler';
import { BACKUP_EXTENSION } from './backup-file';
import { BACKUP_RUN_JOB, BackupSettingsService } from './backup-settings.service';
import { BackupService } from './backup.service';

// The names scheduled backups get; only these are counted and deleted when more than "keep" are in the folder.
const SCHEDULED_NAME = /^mca-manager-\d{8}-\d{6}Z\.mcabackup$/;

export const scheduledBackupName = (at: Date): string =>
  `mca-manager-${at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}Z${BACKUP_EXTENSION}`;

// The scheduled backup: a file named by its time in the settings' folder, then the oldest scheduled backups beyond
// "keep" deleted. A failed backup is not retried (the next day's runs); the Backups page lists it.
@Injectable()
@JobHandler({ type: BACKUP_RUN_JOB })
export class BackupRunHandler implements JobHandler<Record<string, never>> {
  constructor(
    private readonly settings: BackupSettingsService,
    private readonly backups: BackupService,
    private readonly clock: Clock,
  ) {}

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    const settings = await this.settings.get();
    try {
      await this.backups.create(join(settings.folder, scheduledBackupName(this.clock.now())), 'scheduled');
    } catch (error) {
      throw new PermanentJobError(error instanceof Error ? error.message : String(error));
    }
    const scheduled = (await readdir(settings.folder)).filter((name) => SCHEDULED_NAME.test(name)).sort();
    for (const name of scheduled.slice(0, Math.max(0, scheduled.length - settings.keep)))
      await rm(join(settings.folder, name), { force: true });
  }
}
