import { Injectable } from '@nestjs/common';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { AuditTrail } from '../audit/audit-trail.service';
import { Clock } from '../common/clock';
import { ValidationFailedError, type FieldMessages } from '../common/domain-errors';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { RecurringJobs } from '../jobs/recurring-jobs.service';
import { BackupsRepository, type BackupRunView, type BackupSettings } from './backups.repository';

export type { BackupRunView, BackupSettings } from './backups.repository';

export type BackupSettingsInput = Omit<Record<keyof BackupSettings, string>, 'enabled'> & { enabled: boolean };

export const BACKUP_RUN_JOB = 'backup.run';
const SCHEDULE_NAME = 'backup.scheduled';
const KEEP_MAX = 365;
const LISTED_RUNS = 50;
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone !== '';
  } catch {
    return false;
  }
};

// The scheduled backup's one setting row (the whole installation's database, whoever's admin sets it) and the list
// of backups made. Saving defines or removes the recurring job that makes them.
@Injectable()
export class BackupSettingsService {
  private readonly defaults: BackupSettings;

  constructor(
    private readonly sql: SqlService,
    private readonly backups: BackupsRepository,
    private readonly recurring: RecurringJobs,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @InjectAppConfig() app: AppConfig,
  ) {
    this.defaults = {
      enabled: false,
      timeOfDay: '02:30',
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
      folder: join(app.dataDir, 'backups'),
      keep: 7,
    };
  }

  async get(): Promise<BackupSettings> {
    return (await this.backups.settings()) ?? this.defaults;
  }

  async save(input: BackupSettingsInput): Promise<BackupSettings> {
    const settings = await this.validate(input);
    const [hour, minute] = settings.timeOfDay.split(':').map(Number);
    await this.sql.transaction(async (tx) => {
      await this.backups.saveSettings(tx, settings, this.clock.now());
      if (settings.enabled)
        await this.recurring.define({
          name: SCHEDULE_NAME,
          type: BACKUP_RUN_JOB,
          cron: `${minute} ${hour} * * *`,
          timeZone: settings.timeZone,
        });
      else await this.recurring.remove(SCHEDULE_NAME);
      await this.audit.record(tx, { action: 'backup.settings_saved', data: { ...settings } });
    });
    return settings;
  }

  nextRunAt(): Promise<Date | null> {
    return this.recurring.nextRunAt(SCHEDULE_NAME);
  }

  runs(): Promise<BackupRunView[]> {
    return this.backups.runs(LISTED_RUNS);
  }

  // Every field's message at once, worded as the form labels them.
  private async validate(input: BackupSettingsInput): Promise<BackupSettings> {
    const errors: FieldMessages = {};
    if (!TIME_OF_DAY.test(input.timeOfDay)) errors.timeOfDay = 'Enter a time of day as HH:MM, e.g. 02:30';
    if (!isTimeZone(input.timeZone))
      errors.timeZone = 'Enter a time zone by its IANA name, e.g. Europe/Stockholm or UTC';
    const keep = /^\d{1,3}$/.test(input.keep) ? Number(input.keep) : NaN;
    if (!(keep >= 1 && keep <= KEEP_MAX)) errors.keep = `Enter how many backups to keep, from 1 to ${KEEP_MAX}`;
    const folderProblem = await this.folderProblem(input.folder);
    if (folderProblem) errors.folder = folderProblem;
    if (Object.keys(errors).length > 0) throw new ValidationFailedError(errors);
    return { enabled: input.enabled, timeOfDay: input.timeOfDay, timeZone: input.timeZone, folder: input.folder, keep };
  }

  private async folderProblem(folder: string): Promise<string | null> {
    if (!isAbsolute(folder)) return 'Enter the folder’s full path on the server, starting with /';
    const found = await stat(folder).catch(() => null);
    if (!found) return `The folder ${folder} does not exist on the server: create it first`;
    if (!found.isDirectory()) return `${folder} is a file, not a folder`;
    const writable = await access(folder, constants.W_OK).then(
      () => true,
      () => false,
    );
    return writable ? null : `The app cannot write to ${folder}: give its user write access`;
  }
}
