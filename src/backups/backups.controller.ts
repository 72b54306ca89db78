import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Roles } from '../auth/decorators';
import { FormView } from '../common/decorators';
import { ValidationFailedError } from '../common/domain-errors';
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

  @Post()
  @FormView(VIEW, { title: TITLE })
  @Redirect(PAGE, 303)
  async save(@Req() req: Request, @Body() dto: BackupSettingsDto) {
    const saved = await this.settings
      .save({
        enabled: dto.enabled === 'on',
        timeOfDay: dto.timeOfDay,
        timeZone: dto.timeZone,
        folder: dto.folder,
        keep: dto.keep,
      })
      .catch((error: unknown) => this.withState(req, error));
    flash(
      req,
      'success',
      saved.enabled
        ? `Backups scheduled daily at ${saved.timeOfDay} (${saved.timeZone}) into ${saved.folder}, the last ${saved.keep} kept.`
        : 'Settings saved. Scheduled backups are off.',
    );
  }

  private async pageData() {
    const [settings, runs, nextRunAt] = await Promise.all([
      this.settings.get(),
      this.settings.runs(),
      this.settings.nextRunAt(),
    ]);
    return { title: TITLE, ...backupsView(settings, runs, nextRunAt) };
  }

  // A refused form is shown again with the list beside what was typed.
  private async withState(req: Request, error: unknown): Promise<never> {
    if (error instanceof ValidationFailedError && req.formView) {
      const data = await this.pageData();
      const body = req.body as Record<string, unknown>;
      req.formView = { ...req.formView, data: { ...req.formView.data, ...data, enabled: body.enabled === 'on' } };
    }
    throw error;
  }
}
