import request from 'supertest';
import { DataSource } from 'typeorm';
import { SessionRecord } from '../../src/sessions/session.entity';
import { TypeormSessionStore } from '../../src/sessions/typeorm-session.store';
import { TestClock } from '../support/test-clock';
import { createTestApp, type TestApp } from '../support/test-app';
import { csrfTokenFrom, DEFAULT_PASSWORD, setUpFirstAdmin, signIn } from '../support/http';

describe('Sessions and the security baseline', () => {
  it('should keep a session across an app restart, because sessions live in the database', async () => {
    const first = await createTestApp();
    const { agent } = await setUpFirstAdmin(first);
    const cookie = (await agent.get('/')).request.cookies;
    expect(cookie).toContain('mca.sid=');
    await first.close();

    const second = await createTestApp({ dataDir: first.dataDir });
    try {
      const response = await request(second.server).get('/').set('Cookie', cookie);
      expect(response.status).toBe(200);
      expect(response.text).toContain('Ada Admin');
    } finally {
      await second.close();
    }
  });

  it('should mark cookies Secure behind a trusted TLS proxy, and only then', async () => {
    const testApp = await createTestApp({ env: { TRUST_PROXY: '1' } });
    try {
      const viaTls = await request(testApp.server).get('/setup').set('X-Forwarded-Proto', 'https');
      expect(String(viaTls.headers['set-cookie'])).toMatch(/;\s*Secure/i);
      expect(viaTls.headers['strict-transport-security']).toBeDefined();
      const plain = await request(testApp.server).get('/setup');
      expect(String(plain.headers['set-cookie'])).not.toMatch(/;\s*Secure/i);
    } finally {
      await testApp.close();
    }
  });

  describe('with a clock the test moves', () => {
    const clock = new TestClock().set(Date.now());
    let testApp: TestApp;
    beforeAll(async () => {
      testApp = await createTestApp({ clock, env: { SESSION_IDLE_MINUTES: '30' } });
      await setUpFirstAdmin(testApp);
    });
    afterAll(() => testApp.close());

    it('should keep a session used within the idle timeout for as long as it is used, and end it when left idle longer', async () => {
      const { agent } = await signIn(testApp, 'ada@contoso.test');
      for (let visit = 0; visit < 4; visit++) {
        clock.advance(25 * 60_000);
        expect((await agent.get('/mca')).status).toBe(200);
      }
      clock.advance(31 * 60_000);
      const after = await agent.get('/mca');
      expect(after.status).toBe(303);
      expect(after.headers.location).toMatch(/^\/login/);
    });
  });

  describe('with one app', () => {
    let testApp: TestApp;
    beforeAll(async () => {
      testApp = await createTestApp({
        listen: true,
        env: { SESSION_IDLE_MINUTES: '30' },
      });
      await setUpFirstAdmin(testApp);
    });
    afterAll(() => testApp.close());

    it('should send a redirect only once the session holding its message is stored', async () => {
      const { agent, response } = await signIn(testApp, 'ada@contoso.test');
      const cookie = String(response.headers['set-cookie']).split(';')[0];
      const csrf = csrfTokenFrom((await agent.get('/mca')).text);
      const store = testApp.app.get(TypeormSessionStore);
      const set = store.set.bind(store);
      let storedAt = 0;
      // A slow store (its write waiting behind others): the redirect's headers must still leave after it.
      const slow = jest.spyOn(store, 'set').mockImplementation((sid, session, callback) => {
        setTimeout(() => set(sid, session, (error?: unknown) => ((storedAt = Date.now()), callback?.(error))), 150);
      });
      try {
        const address = testApp.server.address() as { port: number };
        // fetch answers as soon as the headers arrive, as a browser follows a redirect.
        const started = await fetch(`http://127.0.0.1:${address.port}/sync`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: csrf }).toString(),
        });
        const headersAt = Date.now();
        expect(started.status).toBe(303);
        expect(storedAt).toBeGreaterThan(0);
        expect(headersAt).toBeGreaterThanOrEqual(storedAt);
        await started.text();
      } finally {
        slow.mockRestore();
      }
      expect((await agent.get('/mca')).text).toContain('Sync from Microsoft started.');
    });

    it('should give a new session id at sign-in and set safe cookie flags', async () => {
      const agent = request.agent(testApp.server);
      const page = await agent.get('/login');
      const before = /mca\.sid=([^;]+)/.exec(String(page.headers['set-cookie']))?.[1];
      const response = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfTokenFrom(page.text), email: 'ada@contoso.test', password: DEFAULT_PASSWORD });
      const setCookie = String(response.headers['set-cookie']);
      const after = /mca\.sid=([^;]+)/.exec(setCookie)?.[1];
      expect(before).toBeDefined();
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Lax');
      expect(setCookie).toMatch(/Expires=/);
    });

    it('should end a session after the idle timeout, and give a new session the full idle timeout', async () => {
      const { agent } = await signIn(testApp, 'ada@contoso.test');
      const sessions = testApp.app.get(DataSource).getRepository(SessionRecord);
      const mine = async () => (await sessions.find({ order: { expiresAt: 'DESC' }, take: 1 }))[0];
      const session = await mine();
      const idleMs = session.expiresAt.getTime() - Date.now();
      expect(idleMs).toBeGreaterThan(29 * 60_000);
      expect(idleMs).toBeLessThanOrEqual(30 * 60_000);

      await sessions.update({ id: session.id }, { expiresAt: new Date(Date.now() - 1000) });
      const response = await agent.get('/');
      expect(response.status).toBe(303);
      expect(response.headers.location).toMatch(/^\/login/);
    });

    it('should renew a session at most once a minute, moving the cookie and the stored expiry together', async () => {
      const { agent } = await signIn(testApp, 'ada@contoso.test');
      const sessions = testApp.app.get(DataSource).getRepository(SessionRecord);
      const mine = async () => (await sessions.find({ order: { expiresAt: 'DESC' }, take: 1 }))[0];
      await agent.get('/mca');
      const session = await mine();

      // Within the minute: the page neither signs nor sends the cookie again, and the row is not rewritten.
      const quiet = await agent.get('/mca');
      expect(quiet.status).toBe(200);
      expect(quiet.headers['set-cookie']).toBeUndefined();
      expect((await mine()).expiresAt.getTime()).toBe(session.expiresAt.getTime());

      // Two minutes later (the stored expiry moved back by two minutes): renewed, cookie and row alike.
      await sessions.update({ id: session.id }, { expiresAt: new Date(session.expiresAt.getTime() - 120_000) });
      const renewed = await agent.get('/mca');
      expect(renewed.status).toBe(200);
      const cookie = String(renewed.headers['set-cookie']);
      expect(cookie).toContain(`mca.sid=`);
      const cookieExpiry = Date.parse(/Expires=([^;]+)/.exec(cookie)?.[1] ?? '');
      const rowExpiry = (await mine()).expiresAt.getTime();
      expect(rowExpiry).toBeGreaterThan(Date.now() + 29 * 60_000);
      expect(Math.abs(cookieExpiry - rowExpiry)).toBeLessThan(2_000);

      // Idle past the stored expiry: signed out, however recently the cookie was sent.
      await sessions.update({ id: session.id }, { expiresAt: new Date(Date.now() - 1000) });
      const after = await agent.get('/mca');
      expect(after.status).toBe(303);
      expect(after.headers.location).toMatch(/^\/login/);
    });

    it('should send a strict Content-Security-Policy without unsafe-inline or unsafe-eval', async () => {
      const response = await request(testApp.server).get('/login');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('should accept the CSRF token in the X-CSRF-Token header, as htmx sends it', async () => {
      const { agent } = await signIn(testApp, 'ada@contoso.test');
      const home = await agent.get('/');
      const refused = await agent.post('/logout').set('HX-Request', 'true');
      expect(refused.status).toBe(403);
      const accepted = await agent
        .post('/logout')
        .set('HX-Request', 'true')
        .set('X-CSRF-Token', csrfTokenFrom(home.text));
      expect(accepted.status).toBe(303);
    });
  });
});
