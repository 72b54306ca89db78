import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { CurrentUser } from '../common/request-context';
import { UsersService } from '../users/users.service';
import { SignInFailedException } from './sign-in-failed.exception';

const MAX_FIELD = 1000;

@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly users: UsersService) {
    super({ usernameField: 'email', passwordField: 'password' });
  }

  async validate(email: string, password: string): Promise<CurrentUser> {
    if (email.length > MAX_FIELD || password.length > MAX_FIELD) throw new SignInFailedException();
    const user = await this.users.verifyCredentials(email, password);
    const sessionUser = user && (await this.users.findActiveSessionUser(user.id));
    if (!sessionUser) throw new SignInFailedException();
    return sessionUser;
  }
}
