import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AuditTrail } from '../audit/audit-trail.service';
import { AppUrl } from '../common/app-url';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import {
  ConflictError,
  GoneError,
  NotFoundInBrokerError,
  TooManyAttemptsError,
  ValidationFailedError,
} from '../common/domain-errors';
import { SqlService, type SqlReader, type Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import { Outbox } from '../mail/outbox.service';
import { describeWait, RateLimits, type RateLimit } from '../rate-limits/rate-limits.service';
import { PasswordSignInPolicy } from '../sign-in/password-sign-in-policy';
import { hashPassword, verifyPassword } from '../users/password-hasher';
import { UsersRepository, type UserSummary } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { PasswordsRepository, type ResetTokenState } from './passwords.repository';

export const RESET_LINK_MINUTES = 30;
export const RESET_REQUEST_JOB = 'password.reset_request';
const HOUR = 3_600;

// Guessing a signed-in user's current password (a stolen session) is slowed like guessing at sign-in.
const CHANGE_FAILURES = { bucket: 'password-change-failure:user', limit: 10, windowSeconds: 900 };
// Reset emails: a few per address per hour (more are silently not sent, so the answer stays the same), and a
// limit per network address that is answered openly.
const RESET_REQUESTS_PER_EMAIL = { bucket: 'password-reset-request:email', limit: 3, windowSeconds: HOUR };
const RESET_REQUESTS_PER_ADDRESS = { bucket: 'password-reset-request:ip', limit: 20, windowSeconds: HOUR };

export type ResetLinkProblem = 'unknown' | 'used' | 'expired';

export class ResetLinkRefusedError extends GoneError {
  constructor(readonly problem: ResetLinkProblem) {
    super(
      problem === 'used'
        ? 'This password reset link was already used.'
        : problem === 'expired'
          ? `This password reset link has expired: links are valid for ${RESET_LINK_MINUTES} minutes.`
          : 'This password reset link is not valid.',
    );
  }
}

const tooMany = (what: string, retryAfterSeconds: number) =>
  new TooManyAttemptsError(`${what} Try again in ${describeWait(retryAfterSeconds)}.`, retryAfterSeconds);

export interface ResetLinkUser {
  userId: number;
  email: string;
  name: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
// 32 random bytes, base64url: 43 characters. Anything else is not one of ours and is not looked up.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

@Injectable()
export class PasswordsService {
  constructor(
    private readonly sql: SqlService,
    private readonly tokens: PasswordsRepository,
    private readonly users: UsersRepository,
    private readonly accounts: UsersService,
    private readonly clock: Clock,
    private readonly limits: RateLimits,
    private readonly scope: BrokerScope,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly jobs: JobQueue,
    private readonly appUrl: AppUrl,
    private readonly policy: PasswordSignInPolicy,
  ) {}

  // The signed-in user's own change: the current password proves it is them; their other sessions end.
  async changePassword(userId: number, currentSessionId: string, current: string, next: string): Promise<void> {
    const failures: RateLimit = { ...CHANGE_FAILURES, subject: String(userId) };
    const wait = await this.limits.retryAfterSeconds(failures);
    if (wait !== null) throw tooMany('Too many wrong current passwords.', wait);
    const hash = await this.users.passwordHash(userId);
    if (hash === null || !(await verifyPassword(hash, current))) {
      await this.limits.hit([failures]);
      throw new ValidationFailedError({ currentPassword: 'Your current password is not correct' });
    }
    if (current === next)
      throw new ValidationFailedError({ password: 'Choose a new password, different from your current one' });
    const newHash = await hashPassword(next);
    await this.sql.transaction(async (tx) => {
      // Compared with the hash that was checked: a change made meanwhile (another tab, a reset) wins.
      const { changed, sessionsEnded } = await this.accounts.replacePasswordHash(tx, userId, newHash, {
        expected: hash,
        keepSession: currentSessionId,
      });
      if (!changed) throw new ConflictError('Your password was changed meanwhile: sign in again.');
      await this.tokens.deleteUnused(tx, userId);
      await this.audit.record(tx, {
        action: 'user.password_changed',
        subject: { type: 'user', id: userId },
        data: { otherSessionsEnded: sessionsEnded },
      });
      await this.notifyChanged(tx, userId);
    });
    await this.limits.clear(failures);
  }

  // "Forgot password": the same outcome, and the same work while the person waits, whether or not the email
  // belongs to someone (the caller answers the same). Looking the email up, and the link, happen in a job.
  async requestReset(email: string, address: string): Promise<void> {
    const byAddress: RateLimit = { ...RESET_REQUESTS_PER_ADDRESS, subject: address };
    const byEmail: RateLimit = { ...RESET_REQUESTS_PER_EMAIL, subject: email };
    const wait = await this.limits.retryAfterSeconds(byAddress);
    if (wait !== null) throw tooMany('Too many password reset requests from your network address.', wait);
    const quiet = (await this.limits.retryAfterSeconds(byEmail)) !== null;
    await this.limits.hit([byAddress, byEmail]);
    if (quiet) return;
    await this.sql.transaction((tx) => this.jobs.enqueue(tx, RESET_REQUEST_JOB, { email }));
  }

  // The job of a "forgot password" request: a link for an active user of that email, nothing for anyone else.
  async issueRequestedLink(email: string): Promise<void> {
    const user = await this.users.summaryByEmail(email);
    if (!user?.active) return;
    if (!(await this.policy.passwordAllowed(user.brokerId)))
      return this.sql.transaction((tx) => this.explainMicrosoftOnly(tx, user));
    await this.sql.transaction((tx) => this.issue(tx, user, 'user'));
  }

  // An admin sends one of their broker's users a reset link (for a forgotten password, or a first sign-in).
  async sendResetLink(userId: number): Promise<{ name: string; email: string }> {
    const user = await this.users.summaryInBroker(userId, this.scope.brokerId());
    if (!user) throw new NotFoundInBrokerError('That user');
    if (!user.active)
      throw new ConflictError(`${user.name} is deactivated: reactivate them before sending a reset link.`);
    if (!(await this.policy.passwordAllowed(user.brokerId)))
      throw new ConflictError(
        'Password sign-in is off for your organisation: users sign in with Microsoft, so no reset link is sent.',
      );
    await this.sql.transaction((tx) => this.issue(tx, user, 'admin'));
    return { name: user.name, email: user.email };
  }

  // Who the link is for, or why it cannot be used; nothing is changed.
  async checkResetLink(token: string): Promise<ResetLinkUser> {
    const { user } = await this.usableLink(token, this.sql);
    return { userId: user.id, email: user.email, name: user.name };
  }

  // Sets the new password once: the link is spent, every session of the user ends, other links die.
  async resetPassword(token: string, next: string): Promise<ResetLinkUser> {
    await this.checkResetLink(token);
    const newHash = await hashPassword(next);
    return this.sql.transaction(async (tx) => {
      const { link, user } = await this.usableLink(token, tx, true);
      await this.tokens.markUsed(tx, link.id, this.clock.now());
      await this.tokens.deleteUnused(tx, user.id);
      await this.accounts.replacePasswordHash(tx, user.id, newHash);
      await this.audit.record(tx, {
        action: 'user.password_reset_used',
        subject: { type: 'user', id: user.id },
        brokerId: user.brokerId,
        actor: { type: 'user', id: user.id, label: user.email },
      });
      await this.notifyChanged(tx, user.id);
      return { userId: user.id, email: user.email, name: user.name };
    });
  }

  // A forgotten password in an organisation without passwords: the person is told how to sign in instead.
  private async explainMicrosoftOnly(tx: Tx, user: UserSummary): Promise<void> {
    await this.outbox.enqueue(tx, {
      brokerId: user.brokerId,
      to: user.email,
      subject: 'How to sign in to MCA Manager',
      template: 'notice',
      context: {
        heading: 'Your organisation signs in with Microsoft',
        paragraphs: [
          `Hello ${user.name},`,
          'Someone (we hope you) asked to reset your MCA Manager password. Your organisation does not use passwords here: choose "Sign in with Microsoft" on the sign-in page and use your work account.',
        ],
        link: { href: `${this.appUrl.base()}/login`, label: 'Go to the sign-in page' },
      },
    });
    await this.audit.record(tx, {
      action: 'user.password_reset_refused',
      subject: { type: 'user', id: user.id },
      brokerId: user.brokerId,
      data: { reason: 'password sign-in off' },
    });
  }

  // Tells the owner of the account, so that a change they did not make does not go unnoticed.
  private async notifyChanged(tx: Tx, userId: number): Promise<void> {
    const user = (await this.users.summary(userId, tx))!;
    await this.outbox.enqueue(tx, {
      brokerId: user.brokerId,
      to: user.email,
      subject: 'Your MCA Manager password was changed',
      template: 'notice',
      context: {
        heading: 'Your password was changed',
        paragraphs: [
          `Hello ${user.name},`,
          'The password of your MCA Manager account was just changed, and your other sessions were signed out.',
          'If you did not do this, ask an administrator of your organisation to send you a reset link at once.',
        ],
      },
    });
  }

  // The link's token and its user, or why it cannot be used. With `lock`, the token is held until `reader`'s
  // transaction ends.
  private async usableLink(
    token: string,
    reader: SqlReader & Pick<Tx, 'query'>,
    lock = false,
  ): Promise<{ link: ResetTokenState; user: UserSummary }> {
    if (!TOKEN_SHAPE.test(token)) throw new ResetLinkRefusedError('unknown');
    const link = await this.tokens.findByHash(hashToken(token), reader, lock);
    const user = link && (await this.users.summary(link.userId, reader));
    if (!link || !user?.active) throw new ResetLinkRefusedError('unknown');
    if (link.usedAt) throw new ResetLinkRefusedError('used');
    if (!link.expiresAt || link.expiresAt.getTime() <= this.clock.nowMs()) throw new ResetLinkRefusedError('expired');
    return { link, user };
  }

  // Only the newest link of a user works: issuing one retires the others.
  private async issue(tx: Tx, user: UserSummary, requestedBy: 'user' | 'admin'): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expires = new Date(now.getTime() + RESET_LINK_MINUTES * 60_000);
    await this.tokens.replace(
      tx,
      { userId: user.id, tokenHash: hashToken(token), requestedBy, createdAt: now, expiresAt: expires },
      new Date(now.getTime() - 24 * HOUR * 1000),
    );
    await this.outbox.enqueue(tx, {
      brokerId: user.brokerId,
      to: user.email,
      subject: 'Reset your MCA Manager password',
      template: 'notice',
      context: {
        heading: 'Reset your password',
        paragraphs: [
          `Hello ${user.name},`,
          requestedBy === 'admin'
            ? 'An administrator of your organisation sent you this link to set a new password for MCA Manager.'
            : 'Someone (we hope you) asked to reset your MCA Manager password.',
          `The link works once, for ${RESET_LINK_MINUTES} minutes. If you did not ask for it, ignore this email: your password stays as it is.`,
        ],
        // The app's own address, never the Host a request named: anyone may ask for a reset email, and a link to
        // their host would hand them the token.
        link: { href: `${this.appUrl.base()}/password/reset/${token}`, label: 'Choose a new password' },
      },
    });
    await this.audit.record(tx, {
      action: requestedBy === 'admin' ? 'user.password_reset_link_sent' : 'user.password_reset_requested',
      subject: { type: 'user', id: user.id },
      brokerId: user.brokerId,
      data: { expiresAt: expires.toISOString() },
    });
  }
}
