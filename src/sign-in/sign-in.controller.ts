import { Body, Controller, Get, Post, Query, Redirect, Render, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrf } from '../common/csrf';
import { FormView, Public } from '../common/decorators';
import { flash } from '../common/flash';
import type { CurrentUser } from '../common/request-context';
import { RedirectException } from '../common/redirect.exception';
import { safeLocalPath } from '../common/safe-redirect';
import { SESSION_COOKIE } from '../sessions/session-cookie';
import { UsersService } from '../users/users.service';
import { LocalAuthGuard } from './local-auth.guard';
import { startSession } from './start-session';
import { SetupDto } from './dto/setup.dto';
import { SetupService } from './setup.service';
import { PASSWORD_MIN_LENGTH } from '../users/dto/user-fields';

const SETUP_VIEW = { title: 'Set up MCA Manager', passwordMinLength: PASSWORD_MIN_LENGTH };

@Controller()
export class SignInController {
  constructor(
    private readonly setup: SetupService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Get('login')
  @Render('sign-in/login')
  async loginPage(@Req() req: Request, @Query('next') next: unknown) {
    if (req.user) throw new RedirectException(safeLocalPath(next));
    if (await this.setup.isSetupNeeded()) throw new RedirectException('/setup');
    return { title: 'Sign in', values: { next: safeLocalPath(next, '') } };
  }

  @Public()
  @Post('login')
  @UseGuards(LocalAuthGuard)
  @Redirect('/', 303)
  async login(@Req() req: Request, @Body('next') next: unknown) {
    const user = req.user as CurrentUser;
    await this.users.recordSignIn(user, { ip: req.ip, method: 'password' });
    // Signing in regenerated the session: the sign-in page's token died with the old one.
    csrf.generateToken(req, true);
    flash(req, 'success', `Signed in as ${user.email}.`);
    return { url: safeLocalPath(next) };
  }

  @Post('logout')
  @Redirect('/login', 303)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    await this.users.recordSignOut(req.user as CurrentUser);
    await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    // The id is worthless once destroyed, but a browser that still holds it looks signed in to whoever checks.
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax' });
  }

  @Public()
  @Get('setup')
  @Render('sign-in/setup')
  async setupPage() {
    if (!(await this.setup.isSetupNeeded())) throw new RedirectException('/login');
    return SETUP_VIEW;
  }

  @Public()
  @Post('setup')
  @FormView('sign-in/setup', SETUP_VIEW)
  @Redirect('/', 303)
  async completeSetup(@Req() req: Request, @Body() dto: SetupDto) {
    const admin = await this.setup.completeSetup(dto);
    const user = await this.users.findActiveSessionUser(admin.id);
    if (user) {
      await startSession(req, user);
      await this.users.recordSignIn(user, { ip: req.ip, method: 'password' });
    }
    csrf.generateToken(req, true);
    flash(req, 'success', `Welcome! ${dto.brokerName} is set up and you are signed in as its first admin.`);
  }
}
