import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AuditTrail } from '../audit/audit-trail.service';
import { Clock } from '../common/clock';
import { NotAuthenticatedError, NotFoundInBrokerError, ValidationFailedError } from '../common/domain-errors';
import type { Actor } from '../common/request-context';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { describeWait } from '../rate-limits/rate-limits.service';
import { UsersRepository } from '../users/users.repository';
import type { ApiToken } from './api-token.entity';
import { expiryOf, statusOf, type ApiTokenExpiryChoice, type ApiTokenStatus } from './api-token-expiry';
import type { ApiTokenScope } from './api-token-scope';
import { ApiTokensRepository } from './api-tokens.repository';

// Tokens look like `mcam_` and 43 base64url characters (256 random bits): the prefix lets secret scanners and
// people recognise one; the entropy makes a plain SHA-256 a safe thing to store and to look up by.
const TOKEN_PREFIX = 'mcam_';
const SHOWN_PREFIX_LENGTH = 12;

export const hashApiToken = (token: string): string => createHash('sha256').update(token).digest('hex');

// Who an API request acts as: the token, in its broker, with its scope.
export interface ApiPrincipal {
  tokenId: number;
  brokerId: number;
  name: string;
  scope: ApiTokenScope;
  actor: Actor;
}

export interface NewApiToken {
  name: string;
  scope: ApiTokenScope;
  expiresAt: Date | null;
}

// A token of the API access page's list: what it is, who made it, and whether it still works.
export interface ApiTokenListing extends ApiToken {
  status: ApiTokenStatus;
  createdByName: string | null;
}

// Where a token stands in the current minute of the rate limit, as the API's RateLimit-* headers say it; `refused`
// is the answer's words when this request is one too many.
export interface ApiRequestAllowance {
  limit: number;
  remaining: number;
  resetSeconds: number;
  refused: string | null;
}

// Last use is written at most this often per token: a busy integration must not turn every read into a write.
const LAST_USED_GRANULARITY_MS = 60_000;

// The rate limit's window: a fixed minute, counted in one row per token and minute.
const RATE_WINDOW_MS = 60_000;

// The start of the rate limit's minute that holds `at`.
export const rateWindowStart = (at: Date): Date => new Date(at.getTime() - (at.getTime() % RATE_WINDOW_MS));

@Injectable()
export class ApiTokensService {
  constructor(
    private readonly tokens: ApiTokensRepository,
    private readonly sql: SqlService,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly users: UsersRepository,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  // The token is returned once, here; only its hash is stored.
  async create(
    brokerId: number,
    createdByUserId: number | null,
    input: NewApiToken,
  ): Promise<{ token: ApiToken; secret: string }> {
    if (input.expiresAt && input.expiresAt <= this.clock.now())
      throw new ValidationFailedError({ expiresAt: 'Choose an expiry in the future' });
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const token = await this.sql.transaction(async (tx) => {
      const saved = await this.tokens.insert(tx, {
        brokerId,
        name: input.name,
        scope: input.scope,
        tokenHash: hashApiToken(secret),
        tokenPrefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
        createdByUserId,
        createdAt: this.clock.now(),
        expiresAt: input.expiresAt,
      });
      await this.audit.record(tx, {
        action: 'api_token.created',
        brokerId,
        subject: { type: 'api_token', id: saved.id },
        data: { name: saved.name, scope: saved.scope, expiresAt: saved.expiresAt?.toISOString() ?? null },
      });
      return saved;
    });
    return { token, secret };
  }

  // The expiry the API access page's choice means now.
  expiryOf(choice: ApiTokenExpiryChoice, date: string | undefined): Date | null {
    return expiryOf(choice, date, this.clock.now());
  }

  list(brokerId: number): Promise<ApiToken[]> {
    return this.tokens.listForBroker(brokerId);
  }

  // The broker's tokens, newest first, with their status now and their creator's name (the broker's users read once).
  async listing(brokerId: number): Promise<ApiTokenListing[]> {
    const [tokens, users] = await Promise.all([this.tokens.listForBroker(brokerId), this.users.listInBroker(brokerId)]);
    const names = new Map(users.map((user) => [user.id, user.name]));
    const now = this.clock.now();
    return tokens.map((token) => ({
      ...token,
      status: statusOf(token, now),
      createdByName: token.createdByUserId === null ? null : (names.get(token.createdByUserId) ?? null),
    }));
  }

  async findInBroker(brokerId: number, id: number): Promise<ApiToken> {
    const token = await this.tokens.findInBroker(brokerId, id);
    if (!token) throw new NotFoundInBrokerError('That API token');
    return token;
  }

  async revoke(brokerId: number, id: number): Promise<ApiToken> {
    return this.sql.transaction(async (tx) => {
      const token = await this.tokens.findInBroker(brokerId, id, tx);
      if (!token) throw new NotFoundInBrokerError('That API token');
      if (token.revokedAt) return token;
      const now = this.clock.now();
      await this.tokens.markRevoked(tx, id, now);
      await this.audit.record(tx, {
        action: 'api_token.revoked',
        brokerId,
        subject: { type: 'api_token', id },
        data: { name: token.name },
      });
      return { ...token, revokedAt: now };
    });
  }

  // The principal of an `Authorization` header's bearer token; refuses a missing, unknown, revoked or expired one
  // with words an integrator can act on.
  async authenticate(authorization: string | undefined): Promise<ApiPrincipal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new NotAuthenticatedError('Send an API token as "Authorization: Bearer <token>".');
    const token = await this.tokens.findByHash(hashApiToken(match[1]));
    if (!token) throw new NotAuthenticatedError('This API token is not known.');
    const now = this.clock.now();
    const status = statusOf(token, now);
    if (status === 'revoked') throw new NotAuthenticatedError('This API token has been revoked.');
    if (status === 'expired') throw new NotAuthenticatedError('This API token has expired.');
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS)
      await this.tokens.markUsed(token.id, now);
    return {
      tokenId: token.id,
      brokerId: token.brokerId,
      name: token.name,
      scope: token.scope,
      actor: { type: 'token', id: token.id, label: `API token "${token.name}" (${token.tokenPrefix}…)` },
    };
  }

  // Counts one request of the token in the current minute (shared by every instance: one upsert) and says what is
  // left of it. A fixed window: a client that waits Retry-After always gets a fresh minute.
  async countRequest(tokenId: number): Promise<ApiRequestAllowance> {
    const now = this.clock.now();
    const windowStart = rateWindowStart(now);
    const requests = await this.tokens.countRequest(tokenId, windowStart);
    const limit = this.config.api.rateLimitPerMinute;
    const resetSeconds = Math.max(1, Math.ceil((windowStart.getTime() + RATE_WINDOW_MS - now.getTime()) / 1000));
    return {
      limit,
      remaining: Math.max(0, limit - requests),
      resetSeconds,
      refused:
        requests > limit
          ? `This API token has made more than ${limit} requests this minute. Try again in ${describeWait(resetSeconds)}.`
          : null,
    };
  }
}
