import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Roles } from '../auth/decorators';
import { FormView } from '../common/decorators';
import { flash } from '../common/flash';
import { BackupSettingsService } from './backup-settings.service';
import { backupsView } from './backups-view';
import { BackupSettingsDto } from './dto/backup-settings.dto';

const PAGE = '/admin/backups';
const VIEW = 'backups/index';
const TITLE = 'Backups';

// The scheduled backup's settings and every backup made, scheduled or from the command line.
@Controller('admin/backups')
@Roles('admin')
export class BackupsController {
  constructor(private readonly settings: BackupSettingsService) {}

  @Get()
  @Render(VIEW)
  page() {
    return this.pageData();
  }

  // A refused form is shown again with the list beside what was typed.
  @Post()
  @FormView(VIEW, async (req, _error, controller: BackupsController) => ({
    ...(await controller.pageData()),
    enabled: (req.body as Partial<BackupSettingsDto>).enabled === 'on',
  }))
  @Redirect(PAGE, 303)
  async save(@Req() req: Request, @Body() dto: BackupSettingsDto) {
    const saved = await this.settings.save({
      enabled: dto.enabled === 'on',
      timeOfDay: dto.timeOfDay,
      timeZone: dto.timeZone,
      folder: dto.folder,
      keep: dto.keep,
    });
    flash(
      req,
      'success',
      saved.enabled
        ? `Backups scheduled daily at ${saved.timeOfDay} (${saved.timeZone}) into ${saved.folder}, the last ${saved.keep} kept.`
        : 'Settings saved. Scheduled backups are off.',
    );
  }

  async pageData() {
    const [settings, runs, nextRunAt] = await Promise.all([
      this.settings.get(),
      this.settings.runs(),
      this.settings.nextRunAt(),
    ]);
    return { title: TITLE, ...backupsView(settings, runs, nextRunAt) };
  }
}
