import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Roles } from '../auth/decorators';
import { FormView } from '../common/decorators';
import type { FormViewResolver } from '../common/form-view.interceptor';
import { flash } from '../common/flash';
import { EntraSettingsDto, PasswordSignInDto } from './dto/entra-settings.dto';
import { EntraSettingsService } from './entra-settings.service';
import { EntraSignInService } from './entra-sign-in.service';

const PAGE = '/settings/microsoft-sign-in';
const VIEW = 'entra/settings';
const TITLE = 'Sign in with Microsoft';

// A refused settings form is shown again with what is stored beside what was typed (the secret never).
const refusedSettings: FormViewResolver<EntraSettingsController> = async (req, _error, controller) => {
  const body = req.body as Record<string, unknown>;
  const checked = { enabled: body.enabled === 'on', allowNewUsers: body.allowNewUsers === 'on' };
  return { ...(await controller.pageData()), checked };
};

const settingsPage: FormViewResolver<EntraSettingsController> = (_req, _error, controller) => controller.pageData();

@Controller('settings/microsoft-sign-in')
@Roles('admin')
export class EntraSettingsController {
  constructor(
    private readonly settings: EntraSettingsService,
    private readonly signIn: EntraSignInService,
  ) {}

  @Get()
  @Render(VIEW)
  page() {
    return this.pageData();
  }

  @Post()
  @FormView(VIEW, refusedSettings)
  @Redirect(PAGE, 303)
  async save(@Req() req: Request, @Body() dto: EntraSettingsDto) {
    const { passwordSignInRestored } = await this.settings.save({
      enabled: dto.enabled === 'on',
      tenantId: dto.tenantId,
      clientId: dto.clientId,
      clientSecret: dto.clientSecret,
      allowNewUsers: dto.allowNewUsers === 'on',
    });
    flash(
      req,
      'success',
      passwordSignInRestored
        ? 'Settings saved. Password sign-in is on again: an admin signs in with Microsoft with these settings before it can be turned off.'
        : 'Sign in with Microsoft settings saved.',
    );
  }

  @Post('password-sign-in')
  @FormView(VIEW, settingsPage)
  @Redirect(PAGE, 303)
  async passwordSignIn(@Req() req: Request, @Body() dto: PasswordSignInDto) {
    const allowed = dto.passwordSignIn === 'on';
    await this.settings.setPasswordSignIn(allowed);
    flash(
      req,
      'success',
      allowed
        ? 'Password sign-in is on: users may sign in with a password or with Microsoft.'
        : 'Password sign-in is off: your organisation signs in with Microsoft only.',
    );
  }

  async pageData() {
    const state = await this.settings.state();
    return {
      title: TITLE,
      state,
      redirectUri: this.signIn.redirectUri(),
      checked: { enabled: state.enabled, allowNewUsers: state.allowNewUsers },
    };
  }
}
