/* global process, URLSearchParams */
// A real OpenID provider (oidc-provider) that stands in for Microsoft Entra ID on 127.0.0.1: the tests start it, and
// a person can start it by hand to try "Sign in with Microsoft" (README). It is an ES module with ES-module
// dependencies that Jest cannot load in-process, so it runs as its own Node process.
//
// Like Entra ID, its issuer is {authority}/{tenant id}/v2.0 and its ID tokens carry the tenant in `tid`. Its sign-in
// page accepts any password: the login typed there is the email (unless an account below says otherwise).
//
// Configured by the environment:
//   OIDC_PORT            port on 127.0.0.1 (default 3200; the tests give 0, any free port)
//   OIDC_TENANT_ID       the tenant this provider plays (default below)
//   OIDC_CLIENT_ID / OIDC_CLIENT_SECRET   the one app registration (defaults below)
//   OIDC_REDIRECT_URIS   comma-separated redirect URIs of that registration (default http://localhost:3000/login/microsoft/callback)
//   OIDC_ACCOUNTS        JSON: { "<login>": { "email"?, "name"?, "tid"? } } to give a login other claims
// It prints one JSON line, {"authority","issuer","tenantId","clientId","clientSecret"}, once it listens.
// Tests steer it with POST /__control (JSON): { "forgeIdToken": true } spoils the ID tokens' signatures,
// { "nonce": "x" } makes the next authorization carry another nonce than the app sent, { "redirectUris": [...] }
// registers the app's callback once the app listens (its port is known only then).
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const tenantId = process.env.OIDC_TENANT_ID || '11111111-2222-4333-8444-555555555555';
const clientId = process.env.OIDC_CLIENT_ID || 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'test-provider-client-secret';
const redirectUris = (process.env.OIDC_REDIRECT_URIS || 'http://localhost:3000/login/microsoft/callback').split(',');
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const control = { forgeIdToken: false, nonce: undefined, redirectUris };

const server = createServer();
await new Promise((resolve) => server.listen(Number(process.env.OIDC_PORT ?? 3200), '127.0.0.1', resolve));
const authority = `http://127.0.0.1:${server.address().port}`;
const mountPath = `/${tenantId}/v2.0`;
const issuer = `${authority}${mountPath}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  claims: { openid: ['sub', 'tid'], email: ['email'], profile: ['name', 'preferred_username'] },
  // Entra ID puts these claims in the ID token itself.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  // The app is first-party here, as in a partner's own tenant: no consent screen.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, login) {
    const account = accounts[login] ?? {};
    const email = account.email ?? login;
    return {
      accountId: login,
      claims: async () => ({
        sub: `sub-${login}`,
        tid: account.tid ?? tenantId,
        email,
        preferred_username: email,
        name: account.name ?? email.split('@')[0],
      }),
    };
  },
  cookies: { keys: ['test-provider-cookie-key'] },
});
provider.proxy = false;
// The registration's redirect URIs as the tests set them (the app under test listens on a port chosen at start).
provider.Client.prototype.redirectUriAllowed = (value) => control.redirectUris.includes(value);

provider.use(async (ctx, next) => {
  if (ctx.path.endsWith('/auth') && control.nonce !== undefined) {
    const query = new URLSearchParams(ctx.querystring);
    query.set('nonce', control.nonce);
    ctx.querystring = query.toString();
    ctx.req.originalUrl = `${mountPath}${ctx.url}`;
    control.nonce = undefined;
  }
  await next();
  if (ctx.path.endsWith('/token') && control.forgeIdToken && ctx.body?.id_token) {
    const [header, payload, signature] = ctx.body.id_token.split('.');
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    ctx.body = { ...ctx.body, id_token: [header, payload, flipped].join('.') };
  }
});

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url === '/__control' && req.method === 'POST') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      Object.assign(control, JSON.parse(body || '{}'));
      res.writeHead(204).end();
    });
    return;
  }
  if (!req.url.startsWith(`${mountPath}/`)) {
    res.writeHead(404).end();
    return;
  }
  // Mounted under the tenant's path, as oidc-provider reads a mount: originalUrl whole, url without the prefix.
  req.originalUrl = req.url;
  req.url = req.url.slice(mountPath.length);
  callback(req, res);
});

process.stdout.write(`${JSON.stringify({ authority, issuer, tenantId, clientId, clientSecret })}\n`);
process.stderr.write(
  [
    `Test OpenID provider (playing Microsoft Entra ID) at ${issuer}`,
    `  start the app with   ENTRA_AUTHORITY=${authority}`,
    `  tenant id            ${tenantId}`,
    `  client id            ${clientId}`,
    `  client secret        ${clientSecret}`,
    `  redirect URIs        ${redirectUris.join(', ')}`,
    'At its sign-in page, type the email of a user of the app as the login, and any password.',
    '',
  ].join('\n'),
);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
