import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import passport from 'passport';
import type { CurrentUser } from '../common/request-context';
import { UsersService } from '../users/users.service';

// The session keeps only the user id; each request reloads the user, so a role change or a deactivation
// takes effect on the next request.
@Injectable()
export class SessionSerializer extends PassportSerializer implements OnModuleDestroy {
  constructor(private readonly users: UsersService) {
    super();
  }

  serializeUser(user: CurrentUser, done: (err: unknown, id?: number) => void): void {
    done(null, user.id);
  }

  deserializeUser(id: unknown, done: (err: unknown, user?: CurrentUser | false) => void): void {
    if (typeof id !== 'number') return done(null, false);
    this.users
      .findActiveSessionUser(id)
      .then((user) => done(null, user ?? false))
      .catch((err) => done(err));
  }

  // passport is a process-wide singleton that only ever appends serializers: a closed app's would answer first
  // for the next app in the same process (tests restart the app), with its database already closed.
  onModuleDestroy(): void {
    const registry = passport as unknown as { _serializers: unknown[]; _deserializers: unknown[] };
    registry._serializers = [];
    registry._deserializers = [];
  }
}
