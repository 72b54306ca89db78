import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Post,
  Query,
  Render,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { startSession } from '../sign-in/start-session';
import { SignInLimits } from '../sign-in/sign-in-limits.service';
import { csrf } from '../common/csrf';
import { FormView, Public } from '../common/decorators';
import { ValidationFailedError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { safeLocalPath } from '../common/safe-redirect';
import { UsersService } from '../users/users.service';
import { MicrosoftEmailDto } from './dto/entra-settings.dto';
import { EntraSettingsService } from './entra-settings.service';
import { EntraSignInRefusedError, EntraSignInService, type EntraRefusalKind } from './entra-sign-in.service';

const CHOOSE_VIEW = { title: 'Sign in with Microsoft' };
const REFUSAL_STATUS: Record<EntraRefusalKind, number> = {
  'not started': HttpStatus.BAD_REQUEST,
  'not verified': HttpStatus.BAD_REQUEST,
  'provider refused': HttpStatus.BAD_REQUEST,
  'not allowed': HttpStatus.FORBIDDEN,
};

// Sign in with Microsoft: off to Entra ID with a link (the CSP's form-action 'self' would stop a form's redirect to
// another origin), and back at the callback, where the answer is checked and the person signed in, or refused.
@Controller('login/microsoft')
export class EntraSignInController {
  constructor(
    private readonly signIn: EntraSignInService,
    private readonly settings: EntraSettingsService,
    private readonly users: UsersService,
    private readonly limits: SignInLimits,
  ) {}

  // With one organisation signing in with Microsoft, straight to Microsoft; with several, the email says which.
  @Public()
  @Get()
  async start(@Req() req: Request, @Res() res: Response, @Query('next') next: unknown) {
    if (req.user) return res.redirect(303, safeLocalPath(next));
    const brokers = await this.settings.enabledBrokerIds();
    if (brokers.length === 0) throw new NotFoundException('Sign in with Microsoft is not turned on here.');
    if (brokers.length > 1)
      return res.render('entra/choose', { ...CHOOSE_VIEW, values: { next: safeLocalPath(next, '') } });
    res.redirect(303, await this.begin(req, brokers[0], next));
  }

  @Public()
  @Post()
  @HttpCode(HttpStatus.OK)
  @FormView('entra/choose', CHOOSE_VIEW)
  @Render('entra/continue')
  async chooseByEmail(@Req() req: Request, @Body() dto: MicrosoftEmailDto) {
    const user = await this.users.findByEmail(dto.email);
    const enabled = user ? await this.settings.registrationFor(user.brokerId) : null;
    if (!user || !enabled)
      throw new ValidationFailedError({
        email: 'No organisation here signs in with Microsoft for this email: sign in with your password.',
      });
    return { ...CHOOSE_VIEW, url: await this.begin(req, user.brokerId, dto.next) };
  }

  @Public()
  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response) {
    const pending = req.session.entraSignIn;
    // One answer per sign-in: a replay of this callback finds nothing to complete.
    delete req.session.entraSignIn;
    const query = new URL(req.originalUrl, 'http://callback.invalid').searchParams;
    try {
      const user = await this.limits.attemptFromAddress(
        req,
        () => this.signIn.complete(pending, query, { ip: req.ip }),
        (error) => error instanceof EntraSignInRefusedError,
      );
      await startSession(req, user);
      csrf.generateToken(req, true);
      await this.users.recordSignIn(user, { ip: req.ip, method: 'microsoft' });
      if (user.role === 'admin') await this.settings.noteAdminSignIn(user.brokerId);
      flash(req, 'success', `Signed in with Microsoft as ${user.email}.`);
      res.redirect(303, safeLocalPath(pending?.next));
    } catch (error) {
      if (!(error instanceof EntraSignInRefusedError)) throw error;
      res.status(REFUSAL_STATUS[error.kind]).render('entra/refused', {
        title: 'Not signed in with Microsoft',
        message: error.message,
      });
    }
  }

  private async begin(req: Request, brokerId: number, next: unknown): Promise<string> {
    const { url, pending } = await this.signIn.begin(brokerId, safeLocalPath(next));
    req.session.entraSignIn = pending;
    return url;
  }
}
