import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { SqlService } from '../../src/database/sql.service';
import { runForBroker } from '../../src/common/request-context';
import { EntraSettingsService } from '../../src/entra/entra-settings.service';
import { SIGN_IN_WINDOW_MS } from '../../src/entra/entra-sign-in.service';
import { auditEvents } from '../support/audit';
import { createUser, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { OTHER_TENANT_ID, signInAtProvider, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { brokerIdOf, createBroker } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

const PUBLIC_URL = 'http://app.test';
const SETTINGS = '/settings/microsoft-sign-in';

// Each test signs in at a real OpenID provider (a child process) and argon2 hashes passwords on a shared machine.
jest.setTimeout(120_000);

describe('Sign in with Microsoft', () => {
  let provider: TestOidcProvider;
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;

  const sql = () => testApp.app.get(SqlService);
  const registration = () => ({
    tenantId: provider.tenantId,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
  });
  const saveSettings = (fields: Record<string, string>) => postForm(admin, SETTINGS, SETTINGS, fields);

  // Starts a Microsoft sign-in as the sign-in page's button does; returns where the app sends the person.
  const startAt = async (agent: TestAgent, next?: string) => {
    const response = await agent.get(next ? `/login/microsoft?next=${encodeURIComponent(next)}` : '/login/microsoft');
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(new RegExp(`^${provider.issuer}/auth\\?`));
    return response.headers.location as string;
  };
  const callbackOf = (url: URL) => {
    expect(url.origin + url.pathname).toBe(`${PUBLIC_URL}/login/microsoft/callback`);
    return `${url.pathname}${url.search}`;
  };
  // The whole round trip in one session: the app, the provider's sign-in page, and back to the app's callback.
  const signInWithMicrosoft = async (login: string, agent = request.agent(testApp.server), next?: string) => {
    const callback = callbackOf(await signInAtProvider(await startAt(agent, next), login));
    return { agent, callback, response: await agent.get(callback) };
  };
  const isSignedIn = async (agent: TestAgent) => (await agent.get('/')).status === 200;
  const refusals = async (since: number) =>
    (await auditEvents(testApp, 'auth.sign_in_failed'))
      .filter((event) => event.id > since)
      .map((event) => JSON.parse(event.data as string));
  const lastEventId = async () => (await auditEvents(testApp)).at(-1)?.id ?? 0;

  beforeAll(async () => {
    provider = await startOidcProvider({
      redirectUris: [`${PUBLIC_URL}/login/microsoft/callback`],
      accounts: { 'stranger@contoso.test': { tid: OTHER_TENANT_ID } },
    });
    testApp = await createTestApp({ env: { ENTRA_AUTHORITY: provider.authority, PUBLIC_URL, ...FAST_JOBS_ENV } });
    admin = (await setUpFirstAdmin(testApp)).agent;
    [{ broker_id: brokerId }] = await sql().query<{ broker_id: number }>`SELECT broker_id FROM users`;
    await createUser(testApp, brokerId, 'olga@contoso.test', 'operator', 'Olga Operator');
  });
  afterAll(async () => {
    await testApp?.close();
    await provider?.stop();
  });

  describe('settings', () => {
    it('should offer no Microsoft sign-in until an admin turns it on', async () => {
      expect((await request(testApp.server).get('/login')).text).not.toContain('Sign in with Microsoft');
      expect((await request(testApp.server).get('/login/microsoft')).status).toBe(404);
    });

    it('should show the redirect URI to register, built from the app address', async () => {
      const page = await admin.get(SETTINGS);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`${PUBLIC_URL}/login/microsoft/callback`);
      const viewer = await createUser(testApp, brokerId, 'vera@contoso.test', 'viewer', 'Vera Viewer');
      expect((await (await signIn(testApp, viewer.email)).agent.get(SETTINGS)).status).toBe(403);
    });

    it('should refuse bad GUIDs and a missing secret next to each field, and never send the secret back', async () => {
      const response = await saveSettings({
        enabled: 'on',
        tenantId: 'contoso',
        clientId: '1234',
        clientSecret: 'typed secret',
      });
      expect(response.status).toBe(422);
      expect(response.text).toContain('Directory (tenant) id must be a GUID');
      expect(response.text).toContain('Application (client) id must be a GUID');
      expect(response.text).toMatch(/aria-invalid="true" aria-describedby="tenantId-error"/);
      expect(response.text).not.toContain('typed secret');
      const missing = await saveSettings({ enabled: 'on', tenantId: provider.tenantId, clientId: provider.clientId });
      expect(missing.status).toBe(422);
      expect(missing.text).toContain('Enter the client secret');
      expect((await sql().query`SELECT id FROM entra_settings`).length).toBe(0);
    });

    it('should store the secret sealed, show only that one is stored, and audit the change without it', async () => {
      const response = await saveSettings({ enabled: 'on', ...registration() });
      expect(response.status).toBe(303);
      const page = await admin.get(SETTINGS);
      expect(page.text).toContain('A secret is stored (encrypted)');
      expect(page.text).toContain(provider.clientId);
      expect(page.text).not.toContain(provider.clientSecret);
      const [row] = await sql().query<{
        client_secret_sealed: string;
      }>`SELECT client_secret_sealed FROM entra_settings`;
      expect(row.client_secret_sealed).not.toContain(provider.clientSecret);
      const [saved] = await auditEvents(testApp, 'entra.settings_saved');
      expect(saved.data).not.toContain(provider.clientSecret);
      expect(JSON.parse(saved.data as string)).toMatchObject({ enabled: true, clientSecretReplaced: true });
      // Saved again without typing it: the stored secret is kept.
      expect(
        (await saveSettings({ enabled: 'on', tenantId: provider.tenantId, clientId: provider.clientId })).status,
      ).toBe(303);
    });

    it('should offer "Sign in with Microsoft" beside the password form once on, keeping where to go next', async () => {
      const login = await request(testApp.server).get('/login?next=%2Fusers%3Fa%3D1');
      expect(login.text).toContain('Sign in with Microsoft');
      expect(login.text.replaceAll('&#x3D;', '=')).toContain('href="/login/microsoft?next=%2Fusers%3Fa%3D1"');
    });
  });

  describe('signing in', () => {
    it('should sign in an existing user matched by email whatever its case, and go where they were going', async () => {
      const since = await lastEventId();
      const { agent, response } = await signInWithMicrosoft('OLGA@Contoso.test', undefined, '/users');
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/users');
      const home = await agent.get('/');
      expect(home.status).toBe(200);
      expect(home.text).toContain('Olga Operator');
      expect(home.text).toContain('Signed in with Microsoft as olga@contoso.test');
      const [signedIn] = (await auditEvents(testApp, 'auth.signed_in')).filter((event) => event.id > since);
      expect(signedIn).toMatchObject({ actor_label: 'olga@contoso.test', subject_type: 'user' });
      expect(JSON.parse(signedIn.data as string)).toEqual({ ip: expect.any(String), method: 'microsoft' });
      expect(signedIn.data).not.toMatch(/code|token|nonce/i);
      // The session is a new one, with a CSRF token of its own: a form posts.
      expect((await postForm(agent, '/', '/logout', {})).status).toBe(303);
    });

    it('should show on the Users page how each user last signed in', async () => {
      await signIn(testApp, 'ada@contoso.test');
      const users = await admin.get('/users');
      const rows = users.text.slice(users.text.indexOf('<tbody')).split('<tr');
      const rowOf = (email: string) => rows.find((row) => row.includes(email)) ?? '';
      expect(rowOf('olga@contoso.test')).toContain('with Microsoft');
      expect(rowOf('ada@contoso.test')).toContain('with a password');
      expect(rowOf('vera@contoso.test')).not.toContain('Never');
    });

    it('should refuse someone of the tenant with no user here unless new users are allowed, then create a viewer', async () => {
      const since = await lastEventId();
      const refused = await signInWithMicrosoft('newcomer@contoso.test');
      expect(refused.response.status).toBe(403);
      expect(refused.response.text).toContain('There is no user newcomer@contoso.test');
      expect(await isSignedIn(refused.agent)).toBe(false);
      expect(await refusals(since)).toEqual([
        expect.objectContaining({ method: 'microsoft', reason: 'unknown user', email: 'newcomer@contoso.test' }),
      ]);

      await saveSettings({
        enabled: 'on',
        tenantId: provider.tenantId,
        clientId: provider.clientId,
        allowNewUsers: 'on',
      });
      const allowed = await signInWithMicrosoft('newcomer@contoso.test');
      expect(allowed.response.status).toBe(303);
      expect(await isSignedIn(allowed.agent)).toBe(true);
      const [created] = await sql().query<{ role: string; name: string; broker_id: number }>`
        SELECT role, name, broker_id FROM users WHERE email = ${'newcomer@contoso.test'}`;
      expect(created).toEqual({ role: 'viewer', name: 'newcomer', broker_id: brokerId });
      const [event] = (await auditEvents(testApp, 'user.created')).filter((e) => e.id > since);
      expect(event).toMatchObject({ actor_label: 'Sign in with Microsoft' });
      await saveSettings({ enabled: 'on', tenantId: provider.tenantId, clientId: provider.clientId });
    });

    it("should refuse an account of another tenant, even with a known user's email", async () => {
      await createUser(testApp, brokerId, 'stranger@contoso.test', 'admin', 'Not Really');
      const since = await lastEventId();
      const { agent, response } = await signInWithMicrosoft('stranger@contoso.test');
      expect(response.status).toBe(403);
      expect(response.text).toContain('belongs to another organisation&#x27;s directory');
      expect(await isSignedIn(agent)).toBe(false);
      expect(await refusals(since)).toEqual([
        expect.objectContaining({ reason: 'wrong tenant', tenantId: OTHER_TENANT_ID, email: 'stranger@contoso.test' }),
      ]);
    });

    it('should refuse a deactivated user', async () => {
      const dora = await createUser(testApp, brokerId, 'dora@contoso.test', 'operator', 'Dora');
      await postForm(admin, '/users', `/users/${dora.id}/deactivate`, {});
      const since = await lastEventId();
      const { agent, response } = await signInWithMicrosoft('dora@contoso.test');
      expect(response.status).toBe(403);
      expect(response.text).toContain('deactivated');
      expect(await isSignedIn(agent)).toBe(false);
      const [refusal] = (await auditEvents(testApp, 'auth.sign_in_failed')).filter((event) => event.id > since);
      expect(refusal).toMatchObject({ broker_id: brokerId, subject_id: String(dora.id) });
      expect(JSON.parse(refusal.data as string)).toMatchObject({ reason: 'deactivated user' });
    });
  });

  describe("refusing an answer that is not this session's, or not genuine", () => {
    const expectRefused = async (agent: TestAgent, callback: string, since: number, reason: RegExp) => {
      const response = await agent.get(callback);
      expect(response.status).toBe(400);
      expect(response.text).toContain('Back to sign in');
      expect(await isSignedIn(agent)).toBe(false);
      const [refusal] = await refusals(since);
      expect(refusal).toMatchObject({ method: 'microsoft', reason: expect.stringMatching(reason) });
      return response;
    };

    it('should refuse a callback no sign-in was started for, with or without a code and state', async () => {
      const agent = request.agent(testApp.server);
      for (const callback of ['/login/microsoft/callback', '/login/microsoft/callback?code=abc&state=def']) {
        const since = await lastEventId();
        const response = await expectRefused(agent, callback, since, /no sign-in started/);
        expect(response.text).toContain('was not started here');
      }
    });

    it('should refuse a missing or forged state, and end that sign-in', async () => {
      for (const tamper of [
        (query: URLSearchParams) => query.delete('state'),
        (query: URLSearchParams) => query.set('state', 'forged'),
      ]) {
        const agent = request.agent(testApp.server);
        const back = await signInAtProvider(await startAt(agent), 'olga@contoso.test');
        const genuine = callbackOf(back);
        tamper(back.searchParams);
        const since = await lastEventId();
        await expectRefused(agent, callbackOf(back), since, /state/);
        // The genuine answer after a forged one finds its sign-in ended.
        await expectRefused(agent, genuine, await lastEventId(), /no sign-in started/);
      }
    });

    it('should refuse a missing code', async () => {
      const agent = request.agent(testApp.server);
      const back = await signInAtProvider(await startAt(agent), 'olga@contoso.test');
      back.searchParams.delete('code');
      await expectRefused(agent, callbackOf(back), await lastEventId(), /code/);
    });

    it("should refuse an answer replayed in the session it signed in, and a code replayed in another's sign-in", async () => {
      const first = await signInWithMicrosoft('olga@contoso.test');
      expect(first.response.status).toBe(303);
      const replay = await first.agent.get(first.callback);
      expect(replay.status).toBe(400);

      // Another session's sign-in, answered with the spent code under its own (valid) state.
      const agent = request.agent(testApp.server);
      const back = await signInAtProvider(await startAt(agent), 'olga@contoso.test');
      back.searchParams.set('code', new URL(first.callback, PUBLIC_URL).searchParams.get('code')!);
      await expectRefused(agent, callbackOf(back), await lastEventId(), /token request was refused: invalid_grant/);
    });

    it('should refuse an ID token whose nonce is not the one this sign-in sent', async () => {
      const agent = request.agent(testApp.server);
      const authorization = await startAt(agent);
      await provider.control({ nonce: 'a nonce of another sign-in' });
      const back = await signInAtProvider(authorization, 'olga@contoso.test');
      await expectRefused(agent, callbackOf(back), await lastEventId(), /nonce/);
    });

    it('should refuse a forged ID token (its signature does not verify)', async () => {
      await provider.control({ forgeIdToken: true });
      try {
        const agent = request.agent(testApp.server);
        const back = await signInAtProvider(await startAt(agent), 'olga@contoso.test');
        await expectRefused(agent, callbackOf(back), await lastEventId(), /signature/i);
      } finally {
        await provider.control({ forgeIdToken: false });
      }
    });

    it(`should refuse an answer that comes back after ${SIGN_IN_WINDOW_MS / 60_000} minutes`, async () => {
      const agent = request.agent(testApp.server);
      const back = await signInAtProvider(await startAt(agent), 'olga@contoso.test');
      const now = Date.now();
      const later = jest.spyOn(Date, 'now').mockReturnValue(now + SIGN_IN_WINDOW_MS + 1000);
      try {
        const since = await lastEventId();
        const response = await agent.get(callbackOf(back));
        expect(response.status).toBe(400);
        expect(response.text).toContain('took longer than 10 minutes');
        expect(await refusals(since)).toEqual([expect.objectContaining({ reason: 'sign-in took too long' })]);
      } finally {
        later.mockRestore();
      }
      expect(await isSignedIn(agent)).toBe(false);
    });
  });

  describe('password sign-in off', () => {
    it('should refuse to turn passwords off before an admin has signed in with Microsoft', async () => {
      const response = await postForm(admin, SETTINGS, `${SETTINGS}/password-sign-in`, { passwordSignIn: 'off' });
      expect(response.status).toBe(409);
      expect(response.text).toContain('An admin of your organisation must first sign in with Microsoft');
      expect(response.text).toContain(`value="${provider.tenantId}"`);
      expect((await signIn(testApp, 'olga@contoso.test')).response.status).toBe(303);
    });

    it('should turn passwords off after an admin signed in with Microsoft: the password is not checked', async () => {
      const microsoftAdmin = await signInWithMicrosoft('ada@contoso.test');
      expect(microsoftAdmin.response.status).toBe(303);
      const off = await postForm(microsoftAdmin.agent, SETTINGS, `${SETTINGS}/password-sign-in`, {
        passwordSignIn: 'off',
      });
      expect(off.status).toBe(303);
      expect(await auditEvents(testApp, 'entra.password_sign_in_off')).toHaveLength(1);

      const since = await lastEventId();
      const { agent, response } = await signIn(testApp, 'olga@contoso.test', 'not even her password');
      expect(response.status).toBe(403);
      expect(response.text).toContain('Your organisation signs in with Microsoft');
      expect(response.text).toContain('Sign in with Microsoft');
      expect(await isSignedIn(agent)).toBe(false);
      expect(await refusals(since)).toEqual([
        expect.objectContaining({ method: 'password', reason: 'password sign-in off', email: 'olga@contoso.test' }),
      ]);
      admin = microsoftAdmin.agent;
    });

    it('should send no reset link: a forgotten password is answered with how to sign in, an admin is told why not', async () => {
      const olga = (await sql().query<{ id: number }>`SELECT id FROM users WHERE email = ${'olga@contoso.test'}`)[0];
      const refusedByAdmin = await postForm(admin, '/users', `/users/${olga.id}/password-reset`, {});
      expect(refusedByAdmin.status).toBe(303);
      expect((await admin.get('/users')).text).toContain('Password sign-in is off for your organisation');

      await postForm(request.agent(testApp.server), '/password/forgot', '/password/forgot', {
        email: 'olga@contoso.test',
      });
      const [refused] = await eventually(async () => {
        const events = await auditEvents(testApp, 'user.password_reset_refused');
        return events.length > 0 ? events : undefined;
      });
      expect(refused).toMatchObject({ subject_id: String(olga.id), broker_id: brokerId });
      expect(await sql().query`SELECT id FROM password_reset_tokens WHERE user_id = ${olga.id}`).toEqual([]);
    });

    it('should turn passwords back on when Microsoft sign-in is turned off, so nobody is locked out', async () => {
      const response = await saveSettings({ tenantId: provider.tenantId, clientId: provider.clientId });
      expect(response.status).toBe(303);
      expect((await admin.get(SETTINGS)).text).toContain('Users may sign in with a password or with Microsoft');
      expect((await signIn(testApp, 'olga@contoso.test')).response.status).toBe(303);
      expect((await request(testApp.server).get('/login')).text).not.toContain('Sign in with Microsoft');
    });
  });
});

describe('Sign in with Microsoft with several organisations using it', () => {
  let provider: TestOidcProvider;
  let testApp: TestApp;

  beforeAll(async () => {
    provider = await startOidcProvider({ redirectUris: [`${PUBLIC_URL}/login/microsoft/callback`] });
    testApp = await createTestApp({ env: { ENTRA_AUTHORITY: provider.authority, PUBLIC_URL } });
    await setUpFirstAdmin(testApp);
    const fabrikam = await createBroker(testApp, 'Fabrikam');
    await createUser(testApp, fabrikam, 'fiona@fabrikam.test', 'operator', 'Fiona');
    for (const brokerId of [await brokerIdOf(testApp, 'ada@contoso.test'), fabrikam])
      await runForBroker(brokerId, () =>
        testApp.app.get(EntraSettingsService).save({
          enabled: true,
          tenantId: provider.tenantId,
          clientId: provider.clientId,
          clientSecret: provider.clientSecret,
          allowNewUsers: false,
        }),
      );
  });
  afterAll(async () => {
    await testApp?.close();
    await provider?.stop();
  });

  it('should ask for the email first, refuse one of no such organisation, then continue to Microsoft', async () => {
    const agent = request.agent(testApp.server);
    const choose = await agent.get('/login/microsoft?next=/users');
    expect(choose.status).toBe(200);
    expect(choose.text).toContain('Enter your work email');

    const unknown = await postForm(agent, '/login/microsoft', '/login/microsoft', { email: 'nobody@contoso.test' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('No organisation here signs in with Microsoft for this email');

    const next = await postForm(agent, '/login/microsoft', '/login/microsoft', {
      email: 'Fiona@Fabrikam.test',
      next: '/mca',
    });
    expect(next.status).toBe(200);
    const link = /href="([^"]+)"[^>]*id="continue-to-microsoft"/.exec(next.text)?.[1];
    expect(link).toMatch(new RegExp(`^${provider.issuer}/auth\\?`));
    const back = await signInAtProvider(
      link!.replaceAll('&amp;', '&').replaceAll('&#x3D;', '='),
      'fiona@fabrikam.test',
    );
    const response = await agent.get(`${back.pathname}${back.search}`);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/mca');
    expect((await agent.get('/')).text).toContain('Fabrikam');
  });
});

describe('Sign in with Microsoft, rate limited', () => {
  it('should answer 429 once an address has had too many refused answers, as for passwords', async () => {
    const testApp = await createTestApp({ env: { LOGIN_LIMIT_PER_IP: '2' } });
    try {
      const agent = request.agent(testApp.server);
      expect((await agent.get('/login/microsoft/callback?code=x&state=y')).status).toBe(400);
      expect((await agent.get('/login/microsoft/callback?code=x&state=y')).status).toBe(400);
      const limited = await agent.get('/login/microsoft/callback?code=x&state=y');
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(limited.text).toContain('Too many attempts');
    } finally {
      await testApp.close();
    }
  });
});
