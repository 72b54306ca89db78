import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request } from 'express';
import { Roles } from '../auth/decorators';
import { FormView } from '../common/decorators';
import { flash } from '../common/flash';
import type { AppConfig } from '../config/app.config';
import { MAX_RECIPIENTS } from './report-address';
import { MAX_RECIPIENT_DOMAINS } from './report-recipients';
import { limitText } from './report-requests.service';
import { ReportSettingsService } from './report-settings.service';
import { BELOW_REPORTS_TRAIL } from './report-view';

const PAGE = '/settings/reports';

// Where reports may be mailed: an admin's list of the organisation's domains.
@Controller(PAGE)
@Roles('admin')
export class ReportSettingsController {
  private readonly view: Record<string, unknown>;

  constructor(
    private readonly settings: ReportSettingsService,
    config: ConfigService,
  ) {
    const { limitPerUser, limitWindowSeconds } = config.getOrThrow<AppConfig>('app').reports;
    this.view = {
      title: 'Report recipients',
      breadcrumbs: BELOW_REPORTS_TRAIL,
      limitText: limitText(limitPerUser, limitWindowSeconds),
      maxRecipients: MAX_RECIPIENTS,
      maxDomains: MAX_RECIPIENT_DOMAINS,
    };
  }

  @Get()
  @Render('reports/settings')
  async page() {
    const domains = await this.settings.recipientDomains();
    return { ...this.view, values: { recipientDomains: domains.join('\n') }, domains };
  }

  @Post()
  @FormView('reports/settings')
  @Redirect(PAGE, 303)
  async save(@Req() req: Request, @Body() body: Record<string, unknown>) {
    if (req.formView) req.formView = { ...req.formView, data: { ...req.formView.data, ...this.view } };
    const domains = await this.settings.saveRecipientDomains(body.recipientDomains);
    flash(
      req,
      'success',
      domains.length === 0
        ? 'Saved: reports go only to the address of the person who asks for them (a schedule: its owner).'
        : `Saved: reports may also go to addresses at ${domains.join(', ')}.`,
    );
  }
}
