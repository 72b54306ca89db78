import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_SCOPE, type WireOAuthError, type WireTokenResponse } from '../partner-center.shapes';
import { authorizePage, messagePage } from './sandbox-pages';
import { readForm, redirect, sendHtml, sendJson } from './sandbox-http';
import type { SandboxState } from './sandbox-state';

// The sandbox playing Microsoft Entra ID: client credentials, the authorization-code sign-in of a partner
// user, and refresh tokens. Access tokens are opaque and expire; unknown or expired ones are refused.

export interface IssuedToken {
  kind: 'app' | 'user';
  user: string | null;
  expiresAt: number;
}

const CODE_LIFETIME_MS = 5 * 60_000;
const REFRESH_LIFETIME_MS = 90 * 24 * 3_600_000;
const randomToken = () => randomBytes(32).toString('base64url');

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  const body: WireOAuthError = { error, error_description: description };
  sendJson(res, status, body);
}

// An unsigned id token, only so the client can show who signed in (as it would read Microsoft's).
function idToken(user: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ preferred_username: user, name: 'Sandbox Partner Admin' })}.`;
}

export class SandboxAuthority {
  private readonly accessTokens = new Map<string, IssuedToken>();
  private readonly codes = new Map<string, { redirectUri: string; user: string; expiresAt: number }>();

  constructor(
    private readonly state: SandboxState,
    private readonly tokenTtlSeconds: number,
    private readonly now: () => number,
  ) {}

  tokenFor(accessToken: string): IssuedToken | null {
    const issued = this.accessTokens.get(accessToken);
    if (!issued) return null;
    if (issued.expiresAt <= this.now()) {
      this.accessTokens.delete(accessToken);
      return null;
    }
    return issued;
  }

  get issuedCount(): number {
    return this.accessTokens.size;
  }

  expireTokens(): void {
    this.accessTokens.clear();
  }

  // Entra checks the tenant and app before anything else; the sandbox knows exactly one of each.
  private knownApp(tenant: string, clientId: string | null): string | null {
    const app = this.state.appRegistration;
    if (tenant !== app.tenantId)
      return `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`;
    if (clientId !== app.appId)
      return `AADSTS700016: Application with identifier '${clientId ?? ''}' was not found in the directory '${tenant}'.`;
    return null;
  }

  async token(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    const form = await readForm(req);
    const unknown = this.knownApp(tenant, form.get('client_id'));
    if (unknown)
      return oauthError(
        res,
        400,
        unknown.startsWith('AADSTS90002') ? 'invalid_request' : 'unauthorized_client',
        unknown,
      );
    if (form.get('client_secret') !== this.state.appRegistration.appSecret) {
      return oauthError(
        res,
        401,
        'invalid_client',
        `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${form.get('client_id')}'.`,
      );
    }
    const grantType = form.get('grant_type');
    if (grantType === 'client_credentials') {
      if (form.get('scope') !== APP_SCOPE)
        return oauthError(
          res,
          400,
          'invalid_scope',
          `AADSTS70011: The provided value for the input parameter 'scope' is not valid. Use ${APP_SCOPE}.`,
        );
      return sendJson(res, 200, this.issue('app', null));
    }
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!code || code.expiresAt <= this.now() || code.redirectUri !== form.get('redirect_uri')) {
        return oauthError(
          res,
          400,
          'invalid_grant',
          'AADSTS70008: The provided authorization code or refresh token has expired or was already used.',
        );
      }
      return sendJson(res, 200, {
        ...this.issue('user', code.user),
        refresh_token: this.newRefreshToken(code.user),
        id_token: idToken(code.user),
      });
    }
    if (grantType === 'refresh_token') {
      const user = this.state.refreshTokenUser(form.get('refresh_token') ?? '', this.now());
      if (!user)
        return oauthError(
          res,
          400,
          'invalid_grant',
          'AADSTS700082: The refresh token has expired or was revoked. The user must sign in again.',
        );
      return sendJson(res, 200, { ...this.issue('user', user), refresh_token: this.newRefreshToken(user) });
    }
    return oauthError(
      res,
      400,
      'unsupported_grant_type',
      `AADSTS70003: The app requested an unsupported grant type '${grantType ?? ''}'.`,
    );
  }

  authorizePage(url: URL, res: ServerResponse, tenant: string): void {
    const unknown = this.knownApp(tenant, url.searchParams.get('client_id'));
    const redirectUri = url.searchParams.get('redirect_uri') ?? '';
    if (unknown) return sendHtml(res, 400, messagePage('Sign-in failed', unknown));
    if (!/^https?:\/\//.test(redirectUri) || url.searchParams.get('response_type') !== 'code') {
      return sendHtml(
        res,
        400,
        messagePage(
          'Sign-in failed',
          'AADSTS900144: The request must have an http(s) redirect_uri and response_type=code.',
        ),
      );
    }
    const fields = { redirect_uri: redirectUri, state: url.searchParams.get('state') ?? '' };
    sendHtml(res, 200, authorizePage(url.pathname, fields, this.state.appRegistration.partnerUser));
  }

  async authorize(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const redirectUri = form.get('redirect_uri') ?? '';
    if (!/^https?:\/\//.test(redirectUri))
      return sendHtml(
        res,
        400,
        messagePage('Sign-in failed', 'The sign-in request is incomplete; start again from the app.'),
      );
    const code = randomToken();
    const user = this.state.appRegistration.partnerUser;
    this.codes.set(code, { redirectUri, user, expiresAt: this.now() + CODE_LIFETIME_MS });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', form.get('state') ?? '');
    redirect(res, target.toString());
  }

  // The sandbox's partner user, signed in without the page: what the sign-in would have given the app.
  signInPartnerUser(): { refreshToken: string; userPrincipalName: string } {
    const user = this.state.appRegistration.partnerUser;
    return { refreshToken: this.newRefreshToken(user), userPrincipalName: user };
  }

  private issue(kind: 'app' | 'user', user: string | null): WireTokenResponse {
    const accessToken = randomToken();
    this.accessTokens.set(accessToken, { kind, user, expiresAt: this.now() + this.tokenTtlSeconds * 1000 });
    return { token_type: 'Bearer', access_token: accessToken, expires_in: this.tokenTtlSeconds };
  }

  // Microsoft hands out a new refresh token with each use and keeps the old one valid until it expires.
  private newRefreshToken(user: string): string {
    const token = randomToken();
    this.state.addRefreshToken(token, user, new Date(this.now() + REFRESH_LIFETIME_MS), this.now());
    return token;
  }
}
