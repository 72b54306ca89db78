import request from 'supertest';
import { SqlService } from '../../src/database/sql.service';
import { createUser, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { brokerIdOf } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

// Each sign-in hashes with argon2 (64 MiB, on purpose slow): some tests need twenty of them on a shared machine.
const ARGON2_HEAVY_MS = 240_000;

const attempt = (testApp: TestApp, email: string, password: string) =>
  postForm(request.agent(testApp.server), '/login', '/login', { email, password });

describe('Sign-in limits', () => {
  describe('with the default limits', () => {
    let testApp: TestApp;
    beforeAll(async () => {
      // An empty value falls back to the default, as an unset variable does.
      testApp = await createTestApp({ env: { LOGIN_LIMIT_PER_IP: '', LOGIN_LIMIT_PER_EMAIL: '' } });
      await setUpFirstAdmin(testApp);
      const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
      for (let i = 1; i <= 4; i++) await createUser(testApp, brokerId, `colleague${i}@contoso.test`);
    });
    afterAll(() => testApp.close());

    it(
      'should not lock out an office: 13 sign-ins and 7 failures from one address leave a right password working',
      async () => {
        for (let i = 0; i < 13; i++)
          expect((await signIn(testApp, `colleague${(i % 4) + 1}@contoso.test`)).response.status).toBe(303);
        for (let i = 0; i < 7; i++)
          expect(
            (await attempt(testApp, `colleague${(i % 4) + 1}@contoso.test`, 'a typo in the password')).status,
          ).toBe(401);
        expect((await signIn(testApp, 'ada@contoso.test')).response.status).toBe(303);
      },
      ARGON2_HEAVY_MS,
    );

    it(
      "should clear an email's failures when it signs in",
      async () => {
        for (let round = 0; round < 2; round++) {
          for (let i = 0; i < 5; i++) expect((await attempt(testApp, 'ada@contoso.test', 'not it')).status).toBe(401);
          expect((await signIn(testApp, 'ada@contoso.test')).response.status).toBe(303);
        }
      },
      ARGON2_HEAVY_MS,
    );
  });

  describe('with low limits', () => {
    let testApp: TestApp;
    beforeAll(async () => {
      testApp = await createTestApp({ env: { LOGIN_LIMIT_PER_EMAIL: '3', LOGIN_LIMIT_PER_IP: '5' } });
      await setUpFirstAdmin(testApp);
    });
    afterAll(() => testApp.close());

    it('should refuse an email after its failures with a standard Retry-After and the real wait', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await attempt(testApp, 'ghost@contoso.test', 'wrong password')).status);
      expect(statuses).toEqual([401, 401, 401, 429]);

      const limited = await attempt(testApp, 'ghost@contoso.test', 'wrong password');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(890);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(900);
      expect(Object.keys(limited.headers).filter((name) => name.startsWith('retry-after'))).toEqual(['retry-after']);
      expect(limited.text).toContain('Too many attempts');
      expect(limited.text).toContain('Try again in 15 minutes.');
      expect(limited.text).toContain('<form method="post" action="/login"');

      // Ten minutes later the oldest failure is ten minutes old: five minutes remain.
      await testApp.app.get(SqlService).transaction(async (tx) => {
        const rows = await tx.query<{ id: number; at: unknown }>`SELECT id, at FROM rate_limit_hits`;
        for (const row of rows) {
          const at = tx.dialect.decodeTimestamp(row.at) as Date;
          await tx.query`UPDATE rate_limit_hits SET at = ${tx.dialect.encodeTimestamp(new Date(at.getTime() - 600_000))} WHERE id = ${row.id}`;
        }
      });
      const later = await attempt(testApp, 'ghost@contoso.test', 'wrong password');
      expect(later.status).toBe(429);
      expect(Number(later.headers['retry-after'])).toBeGreaterThan(290);
      expect(Number(later.headers['retry-after'])).toBeLessThanOrEqual(300);
      expect(later.text).toContain('Try again in 5 minutes.');
    });

    it('should refuse an address after its failures across emails, even a right password', async () => {
      // Three failures so far from this address; two more reach the limit of five.
      expect((await signIn(testApp, 'ada@contoso.test')).response.status).toBe(303);
      expect((await attempt(testApp, 'one@contoso.test', 'wrong password')).status).toBe(401);
      expect((await attempt(testApp, 'two@contoso.test', 'wrong password')).status).toBe(401);
      const refused = await signIn(testApp, 'ada@contoso.test');
      expect(refused.response.status).toBe(429);
      expect(refused.response.text).toContain('your network address');
      expect(Number(refused.response.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  it('should share the counts between two instances on one database', async () => {
    const first = await createTestApp({ env: { LOGIN_LIMIT_PER_EMAIL: '3' } });
    const second = await createTestApp({ dataDir: first.dataDir, env: { LOGIN_LIMIT_PER_EMAIL: '3' } });
    try {
      await setUpFirstAdmin(first);
      expect((await attempt(first, 'ada@contoso.test', 'wrong password')).status).toBe(401);
      expect((await attempt(second, 'ada@contoso.test', 'wrong password')).status).toBe(401);
      expect((await attempt(first, 'ada@contoso.test', 'wrong password')).status).toBe(401);
      const refused = await signIn(second, 'ada@contoso.test');
      expect(refused.response.status).toBe(429);
      expect(refused.response.headers['retry-after']).toBeDefined();
    } finally {
      await second.close();
      await first.close();
    }
  });
});
