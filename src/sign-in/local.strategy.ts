import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import type { CurrentUser } from '../common/request-context';
import { UsersService } from '../users/users.service';
import { PasswordSignInPolicy } from './password-sign-in-policy';
import { PasswordSignInOffException, SignInFailedException } from './sign-in-failed.exception';
import { SignInLimits } from './sign-in-limits.service';

const MAX_FIELD = 1000;

@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(
    private readonly users: UsersService,
    private readonly limits: SignInLimits,
    private readonly policy: PasswordSignInPolicy,
  ) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  async validate(req: Request, email: string, password: string): Promise<CurrentUser> {
    return this.limits.attempt(req, email, async () => {
      if (email.length > MAX_FIELD || password.length > MAX_FIELD) throw new SignInFailedException();
      const outcome = await this.users.signIn(email, password, { ip: req.ip }, (brokerId) =>
        this.policy.passwordAllowed(brokerId),
      );
      if ('user' in outcome) return outcome.user;
      throw outcome.refused === 'password sign-in off' ? new PasswordSignInOffException() : new SignInFailedException();
    });
  }
}
