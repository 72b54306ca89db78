import { Body, Controller, Get, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Roles } from '../auth/decorators';
import { FormView } from '../common/decorators';
import type { FormViewResolver } from '../common/form-view.interceptor';
import { flash } from '../common/flash';
import { AppUrl } from '../common/app-url';
import { PartnerCenterError } from '../partner-center/partner-center.types';
import { WHO_MAY_ATTEST } from '../partner-center/partner-center.client';
import { PartnerCenterCallbackQuery } from './dto/partner-center-callback.dto';
import { AcceptancePolicyDto, PARTNER_CENTER_MODES, PartnerCenterSettingsDto } from './dto/partner-center-settings.dto';
import { PartnerCenterConnectionService } from './partner-center-connection.service';
import { PartnerCenterSettingsService } from './partner-center-settings.service';

const PAGE = '/settings/partner-center';
const CALLBACK_PATH = `${PAGE}/callback`;
const MODE_OPTIONS = PARTNER_CENTER_MODES.map((value) => ({
  value,
  label: value === 'sandbox' ? 'Sandbox (built-in test Partner Center)' : 'Live (Microsoft Partner Center)',
}));
const PAGE_VIEW = { title: 'Partner Center', modes: MODE_OPTIONS, whoMayAttest: WHO_MAY_ATTEST };
const day = (date: Date | null): string => date?.toISOString().slice(0, 10) ?? '';

// A form the service refuses is shown again with what is stored (a secret kept, the connected user, the other
// form's values), read only then.
const refusedSettings: FormViewResolver<PartnerCenterSettingsController> = (_req, _error, controller) =>
  controller.pageData();

// Partner Center's refusal is the admin's answer; anything else is a bug and goes to the error page.
async function reportingPartnerCenterErrors(req: Request, work: () => Promise<string>): Promise<void> {
  try {
    flash(req, 'success', await work());
  } catch (error) {
    if (!(error instanceof PartnerCenterError)) throw error;
    flash(req, 'error', error.message);
  }
}

@Controller('settings/partner-center')
@Roles('admin')
export class PartnerCenterSettingsController {
  constructor(
    private readonly settings: PartnerCenterSettingsService,
    private readonly connection: PartnerCenterConnectionService,
    private readonly appUrl: AppUrl,
  ) {}

  @Get()
  @Render('settings/partner-center')
  async page(@Req() req: Request) {
    return { ...(await this.pageData()), linkNote: this.linkNote(req) };
  }

  // Customers open their agreement links on their own devices: links to an address only this machine reaches (the
  // default, without PUBLIC_URL) do not open there. Said when this page itself was reached at another address.
  private linkNote(req: Request): string | null {
    if (this.appUrl.isPublic) return null;
    const base = this.appUrl.base();
    if (new URL(base).host === req.get('host')) return null;
    return `Without PUBLIC_URL, the links customers get point at ${base}, which their devices may not reach. Set PUBLIC_URL to the address people reach this app at (you reached it at ${req.protocol}://${req.get('host') ?? ''}).`;
  }

  @Post()
  @FormView('settings/partner-center', refusedSettings)
  @Redirect(PAGE, 303)
  async save(@Req() req: Request, @Body() dto: PartnerCenterSettingsDto) {
    const { disconnected } = await this.settings.save(dto);
    flash(
      req,
      'success',
      disconnected
        ? 'Partner Center settings saved. The app registration changed, so the connected user was disconnected: connect one again.'
        : 'Partner Center settings saved.',
    );
  }

  @Post('acceptance-policy')
  @FormView('settings/partner-center', refusedSettings)
  @Redirect(PAGE, 303)
  async saveAcceptancePolicy(@Req() req: Request, @Body() dto: AcceptancePolicyDto) {
    const requiredFrom = await this.settings.saveAcceptancePolicy(dto.requireAcceptedFrom);
    flash(
      req,
      'success',
      requiredFrom
        ? `Acceptances older than ${day(requiredFrom)} are now marked "Re-acceptance needed" (the list updates in a moment).`
        : 'No acceptance date is required any more.',
    );
  }

  @Post('test')
  @Redirect(PAGE, 303)
  async test(@Req() req: Request) {
    await reportingPartnerCenterErrors(req, () => this.connection.test());
  }

  // Sends the admin to Microsoft's (or the sandbox's) sign-in; the state ties the answer to this session. A link,
  // not a form: the CSP's form-action 'self' would stop a form's redirect to the sign-in on another origin.
  @Get('connect')
  @Redirect(PAGE, 303)
  async connect(@Req() req: Request) {
    try {
      const { url, pending } = await this.connection.beginConnect(this.redirectUri());
      req.session.partnerCenterConnect = pending;
      return { url };
    } catch (error) {
      if (!(error instanceof PartnerCenterError)) throw error;
      flash(req, 'error', error.message);
      return { url: PAGE };
    }
  }

  @Get('callback')
  @Redirect(PAGE, 303)
  async callback(@Req() req: Request, @Query() query: PartnerCenterCallbackQuery) {
    const pending = req.session.partnerCenterConnect;
    delete req.session.partnerCenterConnect;
    await reportingPartnerCenterErrors(
      req,
      async () => `Connected as ${await this.connection.completeConnect(pending, query, this.redirectUri())}.`,
    );
  }

  @Post('disconnect')
  @Redirect(PAGE, 303)
  async disconnect(@Req() req: Request) {
    await this.settings.disconnectUser();
    flash(req, 'success', 'The Partner Center user is disconnected.');
  }

  async pageData() {
    const state = await this.settings.state();
    return {
      ...PAGE_VIEW,
      state,
      values: { mode: state.mode, tenantId: state.tenantId, appId: state.appId },
      policy: { requireAcceptedFrom: day(state.requireAcceptedFrom) },
    };
  }

  // The app's own address, never the request's Host: Microsoft sends the user's code back there.
  private redirectUri(): string {
    return `${this.appUrl.base()}${CALLBACK_PATH}`;
  }
}
