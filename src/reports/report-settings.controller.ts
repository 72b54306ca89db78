import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Roles } from '../auth/decorators';
import { FormView } from '../common/decorators';
import { flash } from '../common/flash';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { ReportRecipientsDto } from './dto/report-forms.dto';
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
  // What the page says besides the domains, the same whether it is shown or refused.
  readonly view: Record<string, unknown>;

  constructor(
    private readonly settings: ReportSettingsService,
    @InjectAppConfig() config: AppConfig,
  ) {
    const { limitPerUser, limitWindowSeconds } = config.reports;
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
  @FormView('reports/settings', (_req, _error, controller: ReportSettingsController) => controller.view)
  @Redirect(PAGE, 303)
  async save(@Req() req: Request, @Body() body: ReportRecipientsDto) {
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
