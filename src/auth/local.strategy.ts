import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import type { CurrentUser } from '../common/request-context';
import { UsersService } from '../users/users.service';
import { SignInFailedException } from './sign-in-failed.exception';

const MAX_FIELD = 1000;

@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly users: UsersService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  async validate(req: Request, email: string, password: string): Promise<CurrentUser> {
    if (email.length > MAX_FIELD || password.length > MAX_FIELD) throw new SignInFailedException();
    const user = await this.users.signIn(email, password, { ip: req.ip });
    if (!user) throw new SignInFailedException();
    return user;
  }
}
