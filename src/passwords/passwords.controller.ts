import { Body, Controller, Get, HttpStatus, Param, Post, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser, Roles, type SignedInUser } from '../auth/decorators';
import { csrf } from '../common/csrf';
import { FormView, Public } from '../common/decorators';
import { ConflictError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { PathId } from '../common/ids';
import { PASSWORD_MIN_LENGTH } from '../users/dto/user-fields';
import { ChangePasswordDto, ForgotPasswordDto, ResetPasswordDto } from './dto/password-forms.dto';
import { PasswordsService, RESET_LINK_MINUTES, ResetLinkRefusedError } from './passwords.service';

const CHANGE_VIEW = { title: 'Change password', passwordMinLength: PASSWORD_MIN_LENGTH };
const FORGOT_VIEW = { title: 'Forgot password', minutes: RESET_LINK_MINUTES };
const RESET_VIEW = { title: 'Choose a new password', passwordMinLength: PASSWORD_MIN_LENGTH };
const REFUSED_VIEW = { title: 'This link cannot be used' };
// A link that cannot be used is said on the form's page, under the refused page's title.
const resetViewFor = (_req: Request, error: unknown) =>
  error instanceof ResetLinkRefusedError ? { ...RESET_VIEW, ...REFUSED_VIEW } : RESET_VIEW;

@Controller()
export class PasswordsController {
  constructor(private readonly passwords: PasswordsService) {}

  @Get('account/password')
  @Render('passwords/change')
  changePage() {
    return CHANGE_VIEW;
  }

  @Post('account/password')
  @FormView('passwords/change', CHANGE_VIEW)
  @Redirect('/', 303)
  async change(@Req() req: Request, @CurrentUser() me: SignedInUser, @Body() dto: ChangePasswordDto) {
    await this.passwords.changePassword(me.id, req.sessionID, dto.currentPassword, dto.password);
    // A copy of this form (another tab, a replay) is refused from now on.
    csrf.generateToken(req, true);
    flash(req, 'success', 'Your password is changed. Your other sessions were signed out.');
  }

  @Public()
  @Get('password/forgot')
  @Render('passwords/forgot')
  forgotPage() {
    return FORGOT_VIEW;
  }

  // The same answer whether or not the email belongs to an account.
  @Public()
  @Post('password/forgot')
  @FormView('passwords/forgot', FORGOT_VIEW)
  @Redirect('/password/forgot/sent', 303)
  async forgot(@Req() req: Request, @Body() dto: ForgotPasswordDto) {
    await this.passwords.requestReset(dto.email, req.ip ?? 'unknown');
  }

  @Public()
  @Get('password/forgot/sent')
  @Render('passwords/forgot-sent')
  forgotSent() {
    return { title: 'Check your email', minutes: RESET_LINK_MINUTES };
  }

  @Public()
  @Get('password/reset/:token')
  @Render('passwords/reset')
  async resetPage(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    try {
      const user = await this.passwords.checkResetLink(token);
      return { ...RESET_VIEW, email: user.email, values: { token } };
    } catch (error) {
      if (!(error instanceof ResetLinkRefusedError)) throw error;
      res.status(HttpStatus.GONE);
      return { ...REFUSED_VIEW, errors: { form: error.message } };
    }
  }

  @Public()
  @Post('password/reset')
  @FormView('passwords/reset', resetViewFor)
  @Redirect('/login', 303)
  async reset(@Req() req: Request, @Body() dto: ResetPasswordDto) {
    const user = await this.passwords.resetPassword(dto.token, dto.password);
    flash(req, 'success', `Your password is changed. Sign in with it as ${user.email}.`);
  }

  @Post('users/:id/password-reset')
  @Roles('admin')
  @Redirect('/users', 303)
  async sendResetLink(@Req() req: Request, @PathId('id') id: number) {
    try {
      const user = await this.passwords.sendResetLink(id);
      flash(
        req,
        'success',
        `A password reset link was sent to ${user.name} (${user.email}). It works once, for ${RESET_LINK_MINUTES} minutes.`,
      );
    } catch (error) {
      // Refused by the user's state (deactivated, no passwords): said on the Users page the admin came from.
      if (!(error instanceof ConflictError)) throw error;
      flash(req, 'error', error.message);
    }
  }
}
