import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { AppUrl } from '../common/app-url';
import { Clock } from '../common/clock';
import { DomainError, UpstreamError } from '../common/domain-errors';
import type { CurrentUser } from '../common/request-context';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { UsersService } from '../users/users.service';
import { EntraSettingsService, type EntraRegistration } from './entra-settings.service';

export const CALLBACK_PATH = '/login/microsoft/callback';
// How long a sign-in started here may take at Microsoft before its answer is refused.
export const SIGN_IN_WINDOW_MS = 10 * 60_000;
const SCOPE = 'openid profile email';
const DISCOVERY_TTL_MS = 60 * 60_000;

// A sign-in sent to Microsoft, kept in the session that sent it: its answer must come back to that session, once,
// in time, and match what was sent (state, nonce, and the PKCE verifier of the challenge).
export interface PendingEntraSignIn {
  brokerId: number;
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
  expiresAt: number;
}

declare module 'express-session' {
  interface SessionData {
    entraSignIn?: PendingEntraSignIn;
  }
}

// Why a Microsoft sign-in was refused: `kind` is what the person is told, `reason` what the audit trail records.
export type EntraRefusalKind = 'not started' | 'not verified' | 'provider refused' | 'not allowed';

export class EntraSignInRefusedError extends DomainError {
  constructor(
    readonly kind: EntraRefusalKind,
    readonly reason: string,
    message: string,
    readonly details: { email?: string; tenantId?: string; userId?: number } = {},
  ) {
    super(message);
  }
}

const START_AGAIN = 'Start again from the sign-in page.';

// openid-client refuses plain http, rightly; a test provider on this machine is the one exception.
export function insecureRequestsAllowed(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

// The Entra ID (OpenID Connect) configuration of one registration, found by discovery as Microsoft publishes it.
export async function discoverEntra(
  authority: string,
  registration: EntraRegistration,
  timeoutSeconds: number,
): Promise<oidc.Configuration> {
  const issuer = new URL(`${authority}/${registration.tenantId}/v2.0`);
  const config = await oidc.discovery(issuer, registration.clientId, registration.clientSecret, undefined, {
    execute: insecureRequestsAllowed(issuer) ? [oidc.allowInsecureRequests] : [],
    timeout: timeoutSeconds,
  });
  // The ID token's signature is checked against the tenant's published keys, not only trusted for its channel.
  oidc.enableNonRepudiationChecks(config);
  return config;
}

// What openid-client found wrong with Microsoft's answer, for the audit trail (its messages carry no token).
function failedCheck(error: unknown): string {
  if (error instanceof oidc.AuthorizationResponseError) return `Microsoft answered ${error.error}`;
  if (error instanceof oidc.ResponseBodyError) return `the token request was refused: ${error.error}`;
  // openid-client wraps oauth4webapi's error, whose message names the check ('unexpected "state" ...').
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = inner instanceof Error ? inner.message : String(inner);
  return message.slice(0, 200);
}

@Injectable()
export class EntraSignInService {
  private readonly authority: string;
  private readonly timeoutSeconds: number;
  private readonly configurations = new Map<string, { config: Promise<oidc.Configuration>; expiresAt: number }>();

  constructor(
    private readonly settings: EntraSettingsService,
    private readonly users: UsersService,
    private readonly appUrl: AppUrl,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.authority = config.entra.authority;
    this.timeoutSeconds = Math.ceil(config.partnerCenterHttp.timeoutMs / 1000);
  }

  // The address Microsoft sends the person back to: the app's own, never a request's Host.
  redirectUri(): string {
    return `${this.appUrl.base()}${CALLBACK_PATH}`;
  }

  async begin(brokerId: number, next: string): Promise<{ url: string; pending: PendingEntraSignIn }> {
    const registration = await this.settings.registrationFor(brokerId);
    if (!registration)
      throw new EntraSignInRefusedError('not started', 'not enabled', 'Sign in with Microsoft is not turned on.');
    const config = await this.configuration(registration);
    const pending: PendingEntraSignIn = {
      brokerId,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      next,
      expiresAt: this.clock.nowMs() + SIGN_IN_WINDOW_MS,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(),
      scope: SCOPE,
      response_mode: 'query',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  // Microsoft's answer (the callback's query) for the sign-in this session started. Every refusal is audited.
  async complete(
    pending: PendingEntraSignIn | undefined,
    query: URLSearchParams,
    from: { ip?: string },
  ): Promise<CurrentUser> {
    try {
      return await this.signedInUser(pending, query);
    } catch (error) {
      if (error instanceof EntraSignInRefusedError) {
        const user = error.details.userId ? { id: error.details.userId, brokerId: pending!.brokerId } : null;
        await this.users.recordSignInRefused({
          user,
          brokerId: pending?.brokerId ?? null,
          email: error.details.email ?? null,
          method: 'microsoft',
          reason: error.reason,
          ip: from.ip,
          details: error.details.tenantId ? { tenantId: error.details.tenantId } : undefined,
        });
      }
      throw error;
    }
  }

  private async signedInUser(pending: PendingEntraSignIn | undefined, query: URLSearchParams): Promise<CurrentUser> {
    if (!pending || pending.expiresAt < this.clock.nowMs())
      throw new EntraSignInRefusedError(
        'not started',
        pending ? 'sign-in took too long' : 'no sign-in started in this session',
        `This sign-in was not started here, was already used, or took longer than ${SIGN_IN_WINDOW_MS / 60_000} minutes. ${START_AGAIN}`,
      );
    const registration = await this.settings.registrationFor(pending.brokerId);
    if (!registration)
      throw new EntraSignInRefusedError('not started', 'not enabled', 'Sign in with Microsoft is not turned on.');
    const claims = await this.verifiedClaims(registration, pending, query);

    const tenantId = typeof claims.tid === 'string' ? claims.tid.toLowerCase() : '';
    const emailClaim = typeof claims.email === 'string' ? claims.email : claims.preferred_username;
    const email = typeof emailClaim === 'string' ? emailClaim.trim().toLowerCase() : '';
    if (tenantId !== registration.tenantId)
      throw new EntraSignInRefusedError(
        'not allowed',
        'wrong tenant',
        "Your Microsoft account belongs to another organisation's directory (tenant) than the one your organisation signs in with here. Sign in with your work account.",
        { email, tenantId: tenantId || 'none' },
      );
    if (!email.includes('@') || email.length > 254)
      throw new EntraSignInRefusedError(
        'not allowed',
        'no email',
        'Microsoft gave no email address for your account, so it cannot be matched to a user here.',
        { tenantId },
      );

    const existing = await this.users.findByEmail(email);
    if (existing && existing.brokerId !== pending.brokerId)
      throw new EntraSignInRefusedError('not allowed', 'user of another organisation', noUser(email), { email });
    if (existing && !existing.active)
      throw new EntraSignInRefusedError(
        'not allowed',
        'deactivated user',
        `The user ${email} is deactivated. Ask an administrator of your organisation.`,
        { email, userId: existing.id },
      );
    if (!existing && !(await this.settings.allowsNewUsers(pending.brokerId)))
      throw new EntraSignInRefusedError('not allowed', 'unknown user', noUser(email), { email });
    const user =
      existing ?? (await this.users.createFromMicrosoft(pending.brokerId, { email, name: nameOf(claims, email) }));
    const sessionUser = await this.users.findActiveSessionUser(user.id);
    if (!sessionUser)
      throw new EntraSignInRefusedError('not allowed', 'deactivated user', noUser(email), { email, userId: user.id });
    return sessionUser;
  }

  // openid-client checks the answer: the state, the code (at Microsoft's token endpoint, with the PKCE verifier),
  // and the ID token (signature, issuer, audience, lifetime, nonce).
  private async verifiedClaims(
    registration: EntraRegistration,
    pending: PendingEntraSignIn,
    query: URLSearchParams,
  ): Promise<oidc.IDToken> {
    const config = await this.configuration(registration);
    const currentUrl = new URL(this.redirectUri());
    currentUrl.search = query.toString();
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('no ID token');
      return claims;
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError)
        throw new EntraSignInRefusedError(
          'provider refused',
          failedCheck(error),
          `Microsoft did not sign you in: ${(error.error_description ?? error.error).slice(0, 300)}. ${START_AGAIN}`,
        );
      if (isUnreachable(error)) throw unreachable();
      throw new EntraSignInRefusedError(
        'not verified',
        failedCheck(error),
        `Microsoft's answer could not be verified, so nobody was signed in. ${START_AGAIN}`,
      );
    }
  }

  // Discovery is Microsoft's published configuration: fetched once an hour per registration, not on every sign-in.
  private configuration(registration: EntraRegistration): Promise<oidc.Configuration> {
    const key = createHash('sha256')
      .update(JSON.stringify([this.authority, registration.tenantId, registration.clientId, registration.clientSecret]))
      .digest('hex');
    const cached = this.configurations.get(key);
    if (cached && cached.expiresAt > this.clock.nowMs()) return cached.config;
    const config = discoverEntra(this.authority, registration, this.timeoutSeconds).catch((error: unknown) => {
      this.configurations.delete(key);
      throw isUnreachable(error) ? unreachable() : error;
    });
    this.configurations.set(key, { config, expiresAt: this.clock.nowMs() + DISCOVERY_TTL_MS });
    return config;
  }
}

const noUser = (email: string) =>
  `There is no user ${email} in MCA Manager for your organisation. Ask an administrator of your organisation to add you.`;

function nameOf(claims: oidc.IDToken, email: string): string {
  const name = typeof claims.name === 'string' ? claims.name.replace(/[\u0000-\u001f\u007f]/g, '').trim() : '';
  return (name || email).slice(0, 200);
}

// Microsoft could not be reached or its discovery document read: not the person's fault, and not theirs to fix.
function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    error.name === 'TimeoutError' ||
    error.name === 'AbortError' ||
    (error instanceof TypeError && error.message === 'fetch failed') ||
    code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' ||
    code === 'OAUTH_RESPONSE_IS_NOT_JSON'
  );
}

const unreachable = () =>
  new UpstreamError('Microsoft Entra ID could not be reached to sign you in. Try again in a moment.', false);
