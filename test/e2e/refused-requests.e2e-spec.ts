import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { csrfTokenFrom, DEFAULT_PASSWORD, setUpFirstAdmin } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, seedTenants } from '../support/tenants';

const names = (html: string): string[] =>
  [...html.matchAll(/<span class="tenant-name" dir="auto">([^<]*)<\/span>/g)].map((m) => m[1]);

// Requests a browser would never send, or only from a crafted link: each is answered, never crashed on.
describe('Requests that are refused, not crashed', () => {
  let testApp: TestApp;
  let admin: TestAgent;

  beforeAll(async () => {
    testApp = await createTestApp();
    admin = (await setUpFirstAdmin(testApp)).agent;
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    await seedTenants(
      testApp,
      brokerId,
      Array.from({ length: 30 }, (_, i) => ({ name: `Contoso ${String(i + 1).padStart(2, '0')}` })),
    );
  });
  afterAll(() => testApp.close());

  describe('a NUL or another control character in a search', () => {
    it.each([
      ['\u0000', 30],
      ['c\u0000', 30],
      ['co\u0000', 30],
      ['cont\u0000oso 1', 10],
      ['\u0000contoso 2\t', 10],
      ['"\u0000"', 0],
    ])('should answer %j with the matches of the term without it', async (q, count) => {
      const page = await admin.get(`/mca?size=50&q=${encodeURIComponent(q)}`);
      expect(page.status).toBe(200);
      expect(names(page.text)).toHaveLength(count);
      expect(page.text).not.toContain('\u0000');
    });

    it('should answer an htmx search with a NUL with the results fragment', async () => {
      const fragment = await admin.get('/mca?q=contoso%0001').set('HX-Request', 'true');
      expect(fragment.status).toBe(200);
      expect(names(fragment.text)).toEqual(['Contoso 01']);
    });
  });

  describe('a keyset cursor that names no row', () => {
    it.each(['2147483647', '2147483648', '9999999999', '999999999999999', '99999999999999999999'])(
      'should read the page by its number for a cursor id of %s',
      async (id) => {
        const byNumber = names((await admin.get('/mca?size=10&page=2')).text);
        for (const direction of ['after', 'before']) {
          const page = await admin.get(`/mca?size=10&page=2&${direction}=${id}`);
          expect(page.status).toBe(200);
          expect(names(page.text)).toEqual(byNumber);
        }
      },
    );
  });

  describe('a next= parameter', () => {
    it.each([
      ['a newline', '/mca%0A/evil.example', '/'],
      ['a carriage return and a header', '/mca%0D%0ASet-Cookie:%20x=1', '/'],
      ['a tab', '/%09/evil.example', '/'],
      ['a NUL', '/mca%00', '/'],
      ['a backslash', '/%5Cevil.example', '/'],
      ['non-ASCII characters', '/mca?q=Caf%C3%A9%20%E2%98%95', '/mca?q=Caf%C3%A9%20%E2%98%95'],
      ['a raw space', '/mca?q=a b', '/mca?q=a%20b'],
    ])('should answer an htmx request with %s by an encoded same-site HX-Redirect', async (_what, next, expected) => {
      const response = await admin.get(`/login?next=${next.replace(/ /g, '%20')}`).set('HX-Request', 'true');
      expect(response.status).toBe(204);
      const target = response.headers['hx-redirect'];
      expect(target).toBe(expected.replace('a b', 'a%20b'));
      expect(target).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
      const plain = await admin.get(`/login?next=${next.replace(/ /g, '%20')}`);
      expect(plain.status).toBe(303);
      expect(plain.headers.location).toBe(target);
    });

    it('should keep only a safe, encoded next in the sign-in form and follow it after sign-in', async () => {
      const agent = request.agent(testApp.server);
      const page = await agent.get('/login?next=/%09/evil.example');
      expect(page.text).toContain('name="next" value=""');
      const cafe = await agent.get('/login?next=/mca?q%3DCaf%C3%A9');
      expect(cafe.text).toContain('name="next" value="/mca?q&#x3D;Caf%C3%A9"');
      for (const [next, location] of [
        ['/\t/evil.example', '/'],
        ['/mca\n', '/'],
        ['/mca?q=Café', '/mca?q=Caf%C3%A9'],
      ]) {
        const form = await agent.get('/login');
        const response = await agent
          .post('/login')
          .set('HX-Request', 'true')
          .type('form')
          .send({ _csrf: csrfTokenFrom(form.text), email: 'ada@contoso.test', password: DEFAULT_PASSWORD, next });
        expect(response.status).toBe(303);
        expect(response.headers.location).toBe(location);
        await agent
          .post('/logout')
          .type('form')
          .send({ _csrf: csrfTokenFrom((await agent.get('/')).text) });
      }
    });
  });

  describe('caching and sign-out', () => {
    it.each(['/', '/mca', '/mca?q=contoso', '/users', '/settings/partner-center', '/sync/status', '/no-such-page'])(
      'should send Cache-Control: no-store on the signed-in page %s',
      async (path) => {
        const page = await admin.get(path);
        expect(page.headers['cache-control']).toBe('no-store');
      },
    );

    it.each(['/login', '/password/forgot', '/password/forgot/sent', '/password/reset/some-token', '/agreement/x'])(
      'should send Cache-Control: no-store on the signed-out page %s, which holds a token',
      async (path) => {
        const page = await request(testApp.server).get(path);
        expect(page.headers['cache-control']).toBe('no-store');
      },
    );

    it('should send the htmx fragment with no-store too', async () => {
      const fragment = await admin.get('/mca').set('HX-Request', 'true');
      expect(fragment.headers['cache-control']).toBe('no-store');
    });

    it('should leave the static assets cacheable', async () => {
      expect((await admin.get('/css/app.css')).headers['cache-control']).toMatch(/max-age=\d+/);
    });

    it('should clear the session cookie on sign-out', async () => {
      const { agent } = await setUpFirstAdminAgain();
      const home = await agent.get('/');
      const response = await agent
        .post('/logout')
        .type('form')
        .send({ _csrf: csrfTokenFrom(home.text) });
      expect(response.status).toBe(303);
      const cleared = String(response.headers['set-cookie']);
      expect(cleared).toMatch(/mca\.sid=;/);
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect(cleared).toMatch(/Path=\//);
    });
  });

  const setUpFirstAdminAgain = async () => {
    const agent = request.agent(testApp.server);
    const form = await agent.get('/login');
    await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfTokenFrom(form.text), email: 'ada@contoso.test', password: DEFAULT_PASSWORD });
    return { agent };
  };
});
