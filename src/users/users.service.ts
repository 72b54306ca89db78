import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditTrail } from '../audit/audit-trail.service';
import type { UserRole } from '../auth/user-role';
import { BrokersRepository } from '../brokers/brokers.repository';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import { ConflictError, NotFoundInBrokerError, ValidationFailedError } from '../common/domain-errors';
import type { Actor, CurrentUser } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';
import { SessionsRepository } from '../sessions/sessions.repository';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password-hasher';
import type { SignInMethod } from './sign-in-method';
import type { User } from './user.entity';
import { UsersRepository } from './users.repository';

export interface NewUser {
  name: string;
  email: string;
  role: UserRole;
  password: string;
}

const BACK_TO_USERS = { href: '/users', label: 'Back to users' };

// The first run was done meanwhile (by someone else, in another tab).
export class SetupDoneError extends ConflictError {
  constructor() {
    super('Setup is already done: sign in instead.', { href: '/login', label: 'Sign in' });
  }
}

export type PasswordSignIn = { user: CurrentUser } | { refused: 'credentials' | 'password sign-in off' };

const SIGN_IN_PAGE: Actor = { type: 'system', jobId: null, label: 'sign-in page' };
const SIGN_IN_WITH_MICROSOFT: Actor = { type: 'system', jobId: null, label: 'Sign in with Microsoft' };
const normalEmail = (email: string) => email.trim().toLowerCase().slice(0, 254);

const actorOf = (user: { id: number; email: string }): Actor => ({ type: 'user', id: user.id, label: user.email });
const userSubject = (user: { id: number }) => ({ type: 'user', id: user.id });

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly brokers: BrokersRepository,
    private readonly sessions: SessionsRepository,
    private readonly sql: SqlService,
    private readonly audit: AuditTrail,
    private readonly scope: BrokerScope,
    private readonly clock: Clock,
  ) {}

  anyUserExists(): Promise<boolean> {
    return this.users.anyExists();
  }

  // The same work whether or not the email exists, so that neither the answer nor its timing tells. A refusal is
  // recorded in the user's broker when the email is known, in the broker-less chain otherwise. A broker that turned
  // password sign-in off is told so before any password is checked.
  async signIn(
    email: string,
    password: string,
    from: { ip?: string },
    passwordAllowed: (brokerId: number) => Promise<boolean>,
  ): Promise<PasswordSignIn> {
    const normalised = normalEmail(email);
    const user = await this.users.findByEmail(normalised);
    if (user && !(await passwordAllowed(user.brokerId))) {
      await this.recordSignInRefused({
        user,
        email: normalised,
        method: 'password',
        reason: 'password sign-in off',
        ...from,
      });
      return { refused: 'password sign-in off' };
    }
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
    const sessionUser = user && user.active && valid ? await this.findActiveSessionUser(user.id) : null;
    if (sessionUser) return { user: sessionUser };
    const reason = !user ? 'unknown email' : !valid ? 'wrong password' : 'deactivated user';
    await this.recordSignInRefused({ user, email: normalised, method: 'password', reason, ...from });
    return { refused: 'credentials' };
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(normalEmail(email));
  }

  // A refused sign-in of either method, in the user's broker when known (or the broker the attempt was for). Never
  // a password or a token: only what identifies the attempt.
  async recordSignInRefused(refusal: {
    user?: Pick<User, 'id' | 'brokerId'> | null;
    brokerId?: number | null;
    email?: string | null;
    method: SignInMethod;
    reason: string;
    ip?: string;
    details?: Record<string, unknown>;
  }): Promise<void> {
    await this.sql.transaction((tx) =>
      this.audit.record(tx, {
        action: 'auth.sign_in_failed',
        brokerId: refusal.user?.brokerId ?? refusal.brokerId ?? null,
        actor: SIGN_IN_PAGE,
        subject: refusal.user ? userSubject(refusal.user) : null,
        data: {
          email: refusal.email ?? null,
          method: refusal.method,
          reason: refusal.reason,
          ip: refusal.ip ?? null,
          ...refusal.details,
        },
      }),
    );
  }

  async recordSignIn(user: CurrentUser, from: { ip?: string; method: SignInMethod }): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await this.users.recordSignIn(tx, user.id, this.clock.now(), from.method);
      await this.audit.record(tx, {
        action: 'auth.signed_in',
        brokerId: user.brokerId,
        actor: actorOf(user),
        subject: userSubject(user),
        data: { ip: from.ip ?? null, method: from.method },
      });
    });
  }

  // Someone of the broker's own Entra tenant with no user here, when the broker allows it: a viewer, with a
  // password nobody knows (an admin may send a reset link later).
  async createFromMicrosoft(brokerId: number, input: { email: string; name: string }): Promise<User> {
    const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
    return this.sql.transaction((tx) =>
      this.insertUser(
        tx,
        brokerId,
        { ...input, role: 'viewer', password: '' },
        passwordHash,
        () => SIGN_IN_WITH_MICROSOFT,
      ),
    );
  }

  async recordSignOut(user: CurrentUser): Promise<void> {
    await this.sql.transaction((tx) =>
      this.audit.record(tx, {
        action: 'auth.signed_out',
        brokerId: user.brokerId,
        actor: actorOf(user),
        subject: userSubject(user),
      }),
    );
  }

  // Read on every request (the session holds only the id).
  findActiveSessionUser(userId: number): Promise<CurrentUser | null> {
    return this.users.sessionUser(userId);
  }

  listForBroker(): Promise<User[]> {
    return this.users.listInBroker(this.scope.brokerId());
  }

  createInBroker(input: NewUser): Promise<User> {
    return this.createUser(this.scope.brokerId(), input);
  }

  // The first start: creates the broker and its first admin, refused once any user exists. The new admin is the
  // actor of both events: nobody else was there.
  async createFirstAdmin(brokerName: string, input: Omit<NewUser, 'role'>): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    return this.sql.transaction(async (tx) => {
      if (await this.users.anyExists(tx)) throw new SetupDoneError();
      const broker = await this.brokers.create(tx, brokerName);
      const user = await this.insertUser(tx, broker.id, { ...input, role: 'admin' }, passwordHash, (created) =>
        actorOf(created),
      );
      await this.audit.record(tx, {
        action: 'broker.set_up',
        brokerId: broker.id,
        actor: actorOf(user),
        subject: { type: 'broker', id: broker.id },
        data: { name: broker.name },
      });
      return user;
    });
  }

  async createUser(brokerId: number, input: NewUser): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    return this.sql.transaction((tx) => this.insertUser(tx, brokerId, input, passwordHash));
  }

  // A new password hash, and the end of the user's sessions (but `keepSession`, the one asking). With `expected`, set
  // only over that hash: a change made meanwhile (another tab, a reset) wins, and nothing changes.
  async replacePasswordHash(
    tx: Tx,
    userId: number,
    hash: string,
    options: { expected?: string; keepSession?: string } = {},
  ): Promise<{ changed: boolean; sessionsEnded: number }> {
    if (!(await this.users.setPasswordHash(tx, userId, hash, options.expected)))
      return { changed: false, sessionsEnded: 0 };
    return { changed: true, sessionsEnded: await this.sessions.endForUser(tx, userId, options.keepSession) };
  }

  // Inside the caller's transaction (the CLI creates the broker in the same one). The actor is the context's unless
  // `actorFor` names one from the new user.
  async insertUser(
    tx: Tx,
    brokerId: number,
    input: NewUser,
    passwordHash: string,
    actorFor?: (user: User) => Actor,
  ): Promise<User> {
    const email = input.email.trim().toLowerCase();
    if (await this.users.emailTaken(tx, email))
      throw new ValidationFailedError({ email: 'A user with this email already exists' });
    const user = await this.users.insert(tx, { brokerId, email, name: input.name, role: input.role, passwordHash });
    await this.audit.record(tx, {
      action: 'user.created',
      brokerId,
      actor: actorFor?.(user),
      subject: userSubject(user),
      data: { email: user.email, name: user.name, role: user.role },
    });
    return user;
  }

  async changeRole(id: number, role: UserRole): Promise<User> {
    return this.sql.transaction(async (tx) => {
      const user = await this.userInBroker(tx, id);
      const from = user.role;
      if (from === role) return user;
      if (from === 'admin') await this.assertAnotherActiveAdmin(tx, user);
      user.role = role;
      await this.users.save(tx, user);
      await this.audit.record(tx, {
        action: 'user.role_changed',
        subject: userSubject(user),
        data: { from, to: role },
      });
      return user;
    });
  }

  // Deactivating ends the user's sessions in the same transaction: they are signed out at once.
  async deactivate(id: number, actingUserId: number): Promise<User> {
    return this.sql.transaction(async (tx) => {
      const user = await this.userInBroker(tx, id);
      if (user.id === actingUserId) throw new ConflictError('You cannot deactivate yourself.', BACK_TO_USERS);
      if (!user.active) return user;
      if (user.role === 'admin') await this.assertAnotherActiveAdmin(tx, user);
      user.active = false;
      const sessionsEnded = await this.sessions.endForUser(tx, user.id);
      await this.users.save(tx, user);
      await this.audit.record(tx, {
        action: 'user.deactivated',
        subject: userSubject(user),
        data: { email: user.email, sessionsEnded },
      });
      return user;
    });
  }

  async reactivate(id: number): Promise<User> {
    return this.sql.transaction(async (tx) => {
      const user = await this.userInBroker(tx, id);
      if (user.active) return user;
      user.active = true;
      await this.users.save(tx, user);
      await this.audit.record(tx, {
        action: 'user.reactivated',
        subject: userSubject(user),
        data: { email: user.email },
      });
      return user;
    });
  }

  // Another broker's user is reported as missing, never as forbidden.
  private async userInBroker(tx: Tx, id: number): Promise<User> {
    const user = await this.users.findInBroker(tx, id, this.scope.brokerId());
    if (!user) throw new NotFoundInBrokerError();
    return user;
  }

  private async assertAnotherActiveAdmin(tx: Tx, user: User): Promise<void> {
    if (!user.active) return;
    const admins = await this.users.lockActiveAdmins(tx, user.brokerId);
    if (admins.length <= 1)
      throw new ConflictError('This is the last admin: make another user an admin first.', BACK_TO_USERS);
  }
}
