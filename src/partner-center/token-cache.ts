import { createHash } from 'node:crypto';
import { errorFromAuthority, type GrantKind } from './partner-center.errors';
import type { PartnerCenterClientOptions } from './partner-center.options';
import { APP_SCOPE, parseTokenResponse, pcPaths, USER_SCOPE, type TokenGrant } from './partner-center.shapes';
import type { PartnerCenterTransport } from './partner-center.transport';
import { PartnerCenterError, type PartnerCenterCredentials } from './partner-center.types';

export type TokenKind = 'app' | 'user';

export interface CallIds {
  requestId: string;
}

export interface RefreshTokenRotation {
  previous: string;
  next: string;
}

export type RotationListener = (event: RefreshTokenRotation) => void | Promise<void>;

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

const MAX_ENTRIES = 1_000;
// A token is replaced this long before it expires (at most a tenth of its life), so no call starts with a token
// that dies on the way.
const EARLY_RENEWAL_MS = 5 * 60_000;

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

// Access tokens per credentials (authority, tenant, app, secret, and the user's refresh token for App+User),
// kept until shortly before they expire. Concurrent callers share one token request.
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly rotationListeners = new Set<RotationListener>();

  constructor(
    private readonly transport: PartnerCenterTransport,
    private readonly options: PartnerCenterClientOptions,
  ) {}

  static keyOf(credentials: PartnerCenterCredentials, kind: TokenKind): string {
    const user = kind === 'user' ? digest(credentials.refreshToken ?? '') : '-';
    return [
      kind,
      credentials.authorityUrl,
      credentials.tenantId,
      credentials.appId,
      digest(credentials.appSecret),
      user,
    ].join('|');
  }

  async accessToken(credentials: PartnerCenterCredentials, kind: TokenKind, ids: CallIds): Promise<string> {
    const key = TokenCache.keyOf(credentials, kind);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.options.now()) return cached.accessToken;
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const request = this.requestToken(credentials, kind, ids)
      .then((grant) => {
        this.store(key, grant);
        // Entra rotated the refresh token and the newest is stored: the next caller reads that one, and finds this
        // access token under it instead of refreshing again (once per call, seen in a batch of 1,000 creates).
        if (kind === 'user' && grant.refreshToken && grant.refreshToken !== credentials.refreshToken)
          this.store(TokenCache.keyOf({ ...credentials, refreshToken: grant.refreshToken }, 'user'), grant);
        return grant.accessToken;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, request);
    return request;
  }

  invalidate(credentials: PartnerCenterCredentials, kind: TokenKind): void {
    this.tokens.delete(TokenCache.keyOf(credentials, kind));
  }

  // The authorization-code step of "Connect a Partner Center user": its access token is cached for the new user.
  async redeemCode(
    credentials: PartnerCenterCredentials,
    code: string,
    redirectUri: string,
    ids: CallIds,
  ): Promise<TokenGrant> {
    const grant = await this.grant(
      credentials,
      'code',
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri, scope: USER_SCOPE },
      ids,
    );
    if (!grant.refreshToken)
      throw new PartnerCenterError(
        'invalid_response',
        'Microsoft signed the user in but sent no refresh token; check that the app asks for offline_access and try again',
      );
    this.store(TokenCache.keyOf({ ...credentials, refreshToken: grant.refreshToken }, 'user'), grant);
    return grant;
  }

  private async requestToken(
    credentials: PartnerCenterCredentials,
    kind: TokenKind,
    ids: CallIds,
  ): Promise<TokenGrant> {
    if (kind === 'app')
      return this.grant(credentials, 'app', { grant_type: 'client_credentials', scope: APP_SCOPE }, ids);
    if (!credentials.refreshToken) {
      throw new PartnerCenterError(
        'auth',
        'This needs a connected Partner Center user (App+User sign-in): connect one in Partner Center settings',
      );
    }
    const grant = await this.grant(
      credentials,
      'user',
      { grant_type: 'refresh_token', refresh_token: credentials.refreshToken, scope: USER_SCOPE },
      ids,
    );
    if (grant.refreshToken && grant.refreshToken !== credentials.refreshToken)
      await this.announceRotation({ previous: credentials.refreshToken, next: grant.refreshToken });
    return grant;
  }

  // Entra hands out a new refresh token with each use; whoever stores the user's token can keep the newest, so
  // the connection lasts as long as it is used rather than 90 days from the first sign-in.
  onRefreshTokenRotated(listener: RotationListener): () => void {
    this.rotationListeners.add(listener);
    return () => this.rotationListeners.delete(listener);
  }

  // Waited for, so that the newest token is stored before the call goes on; a listener's failure is its own:
  // keeping the newer token is an optimisation, and the call that got it must not fail because of it.
  private async announceRotation(event: RefreshTokenRotation): Promise<void> {
    await Promise.allSettled([...this.rotationListeners].map(async (listener) => listener(event)));
  }

  private async grant(
    credentials: PartnerCenterCredentials,
    grant: GrantKind,
    fields: Record<string, string>,
    ids: CallIds,
  ): Promise<TokenGrant> {
    const url = new URL(pcPaths.token(credentials.tenantId), credentials.authorityUrl).toString();
    const body = new URLSearchParams({
      client_id: credentials.appId,
      client_secret: credentials.appSecret,
      ...fields,
    }).toString();
    const response = await this.transport.send({
      method: 'POST',
      url,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
        'client-request-id': ids.requestId,
      },
      body,
      operation: 'signing in to Partner Center',
      requestId: ids.requestId,
    });
    if (response.status !== 200)
      throw errorFromAuthority(response.status, response.text, grant, {
        operation: 'signing in to Partner Center',
        requestId: ids.requestId,
        attempts: response.attempts,
      });
    return parseTokenResponse(response.text);
  }

  private store(key: string, grant: TokenGrant): void {
    const lifeMs = grant.expiresInSeconds * 1000;
    const now = this.options.now();
    if (this.tokens.size >= MAX_ENTRIES) {
      for (const [entryKey, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(entryKey);
      if (this.tokens.size >= MAX_ENTRIES) this.tokens.delete(this.tokens.keys().next().value as string);
    }
    this.tokens.set(key, {
      accessToken: grant.accessToken,
      expiresAt: now + lifeMs - Math.min(EARLY_RENEWAL_MS, lifeMs / 10),
    });
  }
}
