import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Not } from 'typeorm';
import { AuditTrail } from '../audit/audit-trail.service';
import { PasswordSignInPolicy } from '../auth/password-sign-in-policy';
import { BrokerScope } from '../common/broker-scope.service';
import { ConflictError, NotFoundInBrokerError, ValidationFailedError } from '../common/domain-errors';
import { AppUrl } from '../common/app-url';
import { SqlService, type Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import { SessionRecord } from '../sessions/session.entity';
import { User } from '../users/user.entity';
import { Outbox } from '../mail/outbox.service';
import { RateLimits, type RateLimit } from '../rate-limits/rate-limits.service';
import { hashPassword, verifyPassword } from '../users/password-hasher';

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

export class ResetLinkRefusedError extends ConflictError {
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

export class TooManyRequestsError extends ConflictError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

interface TokenRow {
  id: number;
  user_id: number;
  broker_id: number;
  email: string;
  name: string;
  active: boolean | number;
  expires_at: unknown;
  used_at: unknown;
}

export interface ResetLinkUser {
  userId: number;
  email: string;
  name: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
// 32 random bytes, base64url: 43 characters. Anything else is not one of ours and is not looked up.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

// The user a reset link is for, as both drivers return it.
interface ResetUserRow {
  id: number;
  broker_id: number;
  name: string;
  email: string;
  active: unknown;
}

@Injectable()
export class PasswordsService {
  constructor(
    private readonly sql: SqlService,
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
    if (wait !== null) throw new TooManyRequestsError('Too many wrong current passwords.', wait);
    const [user] = await this.sql.query<{ password_hash: string }>`
      SELECT password_hash FROM users WHERE id = ${userId}`;
    if (!user || !(await verifyPassword(user.password_hash, current))) {
      await this.limits.hit([failures]);
      throw new ValidationFailedError({ currentPassword: 'Your current password is not correct' });
    }
    if (current === next)
      throw new ValidationFailedError({ password: 'Choose a new password, different from your current one' });
    const newHash = await hashPassword(next);
    await this.sql.transaction(async (tx) => {
      // Compared with the hash that was checked: a change made meanwhile (another tab, a reset) wins.
      const changed = await tx.manager.update(
        User,
        { id: userId, passwordHash: user.password_hash },
        { passwordHash: newHash },
      );
      if (!changed.affected) throw new ConflictError('Your password was changed meanwhile: sign in again.');
      const ended = await tx.manager.delete(SessionRecord, { userId, id: Not(currentSessionId) });
      await tx.query`DELETE FROM password_reset_tokens WHERE user_id = ${userId} AND used_at IS NULL`;
      await this.audit.record(tx, {
        action: 'user.password_changed',
        subject: { type: 'user', id: userId },
        data: { otherSessionsEnded: ended.affected ?? 0 },
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
    if (wait !== null)
      throw new TooManyRequestsError('Too many password reset requests from your network address.', wait);
    const quiet = (await this.limits.retryAfterSeconds(byEmail)) !== null;
    await this.limits.hit([byAddress, byEmail]);
    if (quiet) return;
    await this.sql.transaction((tx) => this.jobs.enqueue(tx, RESET_REQUEST_JOB, { email }));
  }

  // The job of a "forgot password" request: a link for an active user of that email, nothing for anyone else.
  async issueRequestedLink(email: string): Promise<void> {
    const [user] = await this.sql.query<ResetUserRow>`
      SELECT id, broker_id, name, email, active FROM users WHERE email = ${email}`;
    if (!user?.active) return;
    if (!(await this.policy.passwordAllowed(user.broker_id)))
      return this.sql.transaction((tx) => this.explainMicrosoftOnly(tx, user));
    await this.sql.transaction((tx) => this.issue(tx, user, 'user'));
  }

  // An admin sends one of their broker's users a reset link (for a forgotten password, or a first sign-in).
  async sendResetLink(userId: number): Promise<{ name: string; email: string }> {
    const [user] = await this.sql.query<ResetUserRow>`
      SELECT id, broker_id, name, email, active FROM users WHERE id = ${userId} AND broker_id = ${this.scope.brokerId()}`;
    if (!user) throw new NotFoundInBrokerError('That user');
    if (!user.active)
      throw new ConflictError(`${user.name} is deactivated: reactivate them before sending a reset link.`);
    if (!(await this.policy.passwordAllowed(user.broker_id)))
      throw new ConflictError(
        'Password sign-in is off for your organisation: users sign in with Microsoft, so no reset link is sent.',
      );
    await this.sql.transaction((tx) => this.issue(tx, user, 'admin'));
    return { name: user.name, email: user.email };
  }

  // Who the link is for, or why it cannot be used; nothing is changed.
  async checkResetLink(token: string): Promise<ResetLinkUser> {
    const row = await this.tokenRow(token, (sql, params) => this.sql.run<TokenRow>(sql, params));
    return { userId: row.user_id, email: row.email, name: row.name };
  }

  // Sets the new password once: the link is spent, every session of the user ends, other links die.
  async resetPassword(token: string, next: string): Promise<ResetLinkUser> {
    await this.checkResetLink(token);
    const newHash = await hashPassword(next);
    return this.sql.transaction(async (tx) => {
      const row = await this.tokenRow(token, (sql, params) => tx.run<TokenRow>(sql, params), true);
      const now = this.sql.dialect.encodeTimestamp(new Date());
      await tx.query`UPDATE password_reset_tokens SET used_at = ${now} WHERE id = ${row.id}`;
      await tx.query`DELETE FROM password_reset_tokens WHERE user_id = ${row.user_id} AND used_at IS NULL`;
      await tx.query`UPDATE users SET password_hash = ${newHash} WHERE id = ${row.user_id}`;
      await tx.query`DELETE FROM sessions WHERE user_id = ${row.user_id}`;
      await this.audit.record(tx, {
        action: 'user.password_reset_used',
        subject: { type: 'user', id: row.user_id },
        brokerId: row.broker_id,
        actor: { type: 'user', id: row.user_id, label: row.email },
      });
      await this.notifyChanged(tx, row.user_id);
      return { userId: row.user_id, email: row.email, name: row.name };
    });
  }

  // A forgotten password in an organisation without passwords: the person is told how to sign in instead.
  private async explainMicrosoftOnly(tx: Tx, user: ResetUserRow): Promise<void> {
    await this.outbox.enqueue(tx, {
      brokerId: user.broker_id,
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
      brokerId: user.broker_id,
      data: { reason: 'password sign-in off' },
    });
  }

  // Tells the owner of the account, so that a change they did not make does not go unnoticed.
  private async notifyChanged(tx: Tx, userId: number): Promise<void> {
    const [user] = await tx.query<{ broker_id: number; name: string; email: string }>`
      SELECT broker_id, name, email FROM users WHERE id = ${userId}`;
    await this.outbox.enqueue(tx, {
      brokerId: user.broker_id,
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

  private async tokenRow(
    token: string,
    run: (sql: string, params: unknown[]) => Promise<TokenRow[]>,
    lock = false,
  ): Promise<TokenRow> {
    if (!TOKEN_SHAPE.test(token)) throw new ResetLinkRefusedError('unknown');
    const postgres = this.sql.dialect.name === 'postgres';
    const [row] = await run(
      `SELECT t.id, t.user_id, u.broker_id, u.email, u.name, u.active, t.expires_at, t.used_at
       FROM password_reset_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ${this.sql.dialect.placeholder(1)}${lock && postgres ? ' FOR UPDATE' : ''}`,
      [hashToken(token)],
    );
    if (!row || !row.active) throw new ResetLinkRefusedError('unknown');
    if (row.used_at !== null && row.used_at !== undefined) throw new ResetLinkRefusedError('used');
    const expires = this.sql.dialect.decodeTimestamp(row.expires_at);
    if (!expires || expires.getTime() <= Date.now()) throw new ResetLinkRefusedError('expired');
    return row;
  }

  // Only the newest link of a user works: issuing one retires the others.
  private async issue(
    tx: Tx,
    user: { id: number; broker_id: number; name: string; email: string },
    requestedBy: 'user' | 'admin',
  ): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const expires = new Date(now.getTime() + RESET_LINK_MINUTES * 60_000);
    const encode = (value: Date) => tx.dialect.encodeTimestamp(value);
    const stale = encode(new Date(now.getTime() - 24 * HOUR * 1000));
    await tx.query`DELETE FROM password_reset_tokens
      WHERE user_id = ${user.id} AND (used_at IS NULL OR created_at < ${stale})`;
    await tx.query`INSERT INTO password_reset_tokens (user_id, token_hash, requested_by, created_at, expires_at)
      VALUES (${user.id}, ${hashToken(token)}, ${requestedBy}, ${encode(now)}, ${encode(expires)})`;
    await this.outbox.enqueue(tx, {
      brokerId: user.broker_id,
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
      brokerId: user.broker_id,
      data: { expiresAt: expires.toISOString() },
    });
  }
}
