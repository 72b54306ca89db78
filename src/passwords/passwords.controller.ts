import {
  Body,
  Controller,
  Get,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Redirect,
  Render,
  Req,
  Res,
} from '@nestjs/common';
import { PathId } from '../common/ids';
import type { Request, Response } from 'express';
import { csrf } from '../common/csrf';
import { CurrentUser, Roles } from '../auth/decorators';
import { FormView, Public } from '../common/decorators';
import { ConflictError, NotFoundInBrokerError, ValidationFailedError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { FormErrorsException } from '../common/form-errors.exception';
import type { CurrentUser as SignedInUser } from '../common/request-context';
import { describeWait } from '../rate-limits/rate-limits.service';
import { tooManyAttempts } from '../rate-limits/too-many-attempts';
import { PASSWORD_MIN_LENGTH } from '../users/dto/user-fields';
import { ChangePasswordDto, ForgotPasswordDto, ResetPasswordDto } from './dto/password-forms.dto';
import { PasswordsService, RESET_LINK_MINUTES, ResetLinkRefusedError, TooManyRequestsError } from './passwords.service';

const CHANGE_VIEW = { title: 'Change password', passwordMinLength: PASSWORD_MIN_LENGTH };
const FORGOT_VIEW = { title: 'Forgot password', minutes: RESET_LINK_MINUTES };
const RESET_VIEW = { title: 'Choose a new password', passwordMinLength: PASSWORD_MIN_LENGTH };
const REFUSED_VIEW = { title: 'This link cannot be used' };

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
    await this.answer(req, () =>
      this.passwords.changePassword(me.id, req.sessionID, dto.currentPassword, dto.password),
    );
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
    await this.answer(req, () => this.passwords.requestReset(dto.email, req.ip ?? 'unknown'));
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
  @FormView('passwords/reset', RESET_VIEW)
  @Redirect('/login', 303)
  async reset(@Req() req: Request, @Body() dto: ResetPasswordDto) {
    const user = await this.answer(req, () => this.passwords.resetPassword(dto.token, dto.password));
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
      if (error instanceof NotFoundInBrokerError) throw new NotFoundException();
      if (!(error instanceof ConflictError)) throw error;
      flash(req, 'error', error.message);
    }
  }

  // The service's refusals as the form's messages: next to the field, or above the form with its status.
  private async answer<T>(req: Request, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ValidationFailedError) throw new FormErrorsException(error.fields);
      if (error instanceof TooManyRequestsError)
        throw tooManyAttempts(req, error.retryAfterSeconds, {
          form: `${error.message} Try again in ${describeWait(error.retryAfterSeconds)}.`,
        });
      if (error instanceof ResetLinkRefusedError)
        throw new FormErrorsException({ form: error.message }, { status: HttpStatus.GONE, viewData: REFUSED_VIEW });
      if (error instanceof ConflictError)
        throw new FormErrorsException({ form: error.message }, { status: HttpStatus.CONFLICT });
      throw error;
    }
  }
}
