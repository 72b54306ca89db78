import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { User } from '../../src/users/user.entity';
import { createUser, csrfTokenFrom, postForm, setUpFirstAdmin } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

const titleOf = (html: string): string => /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
// Every aria-describedby must name an element of the page: a dangling one describes nothing to a screen reader.
const danglingDescriptions = (html: string): string[] =>
  [...html.matchAll(/aria-describedby="([^"]+)"/g)]
    .flatMap((m) => m[1].split(/\s+/))
    .filter((id) => !html.includes(`id="${id}"`));

describe('Users page and sign-in details', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let adaId: number;
  let brokerId: number;

  beforeAll(async () => {
    testApp = await createTestApp();
    admin = (await setUpFirstAdmin(testApp)).agent;
    const ada = await testApp.app.get(DataSource).getRepository(User).findOneByOrFail({ email: 'ada@contoso.test' });
    adaId = ada.id;
    brokerId = ada.brokerId;
    await createUser(testApp, brokerId, 'otto@contoso.test', 'operator', 'Otto Operator');
  });
  afterAll(() => testApp.close());

  const roleOf = async (id: number) =>
    (await testApp.app.get(DataSource).getRepository(User).findOneByOrFail({ id })).role;

  describe('the last admin', () => {
    it.each([
      ['demoting', () => `/users/${adaId}/role`, { role: 'viewer' }, 'This is the last admin'],
      ['deactivating yourself', () => `/users/${adaId}/deactivate`, {}, 'You cannot deactivate yourself.'],
    ])('should answer %s on the Users page, next to the row, without JavaScript', async (_what, url, fields, text) => {
      const response = await postForm(admin, '/users', url(), fields);
      expect(response.status).toBe(409);
      expect(titleOf(response.text)).toBe('Users · MCA Manager');
      expect(response.text).not.toContain('That changed in the meantime');
      expect(response.text).toContain('<h1>Users</h1>');
      const row = /<tr class="has-error">([\s\S]*?)<\/tr>/.exec(response.text)?.[1] ?? '';
      expect(row).toContain('ada@contoso.test');
      expect(row).toMatch(new RegExp(`<p class="row-error" id="user-${adaId}-error" role="alert">${text}`));
      expect(response.text.match(/class="row-error"/g)).toHaveLength(1);
      expect(danglingDescriptions(response.text)).toEqual([]);
      expect(await roleOf(adaId)).toBe('admin');
    });

    it('should answer an htmx request with the Users page fragment carrying the message next to the row', async () => {
      const page = await admin.get('/users');
      const response = await admin
        .post(`/users/${adaId}/role`)
        .set('HX-Request', 'true')
        .set('X-CSRF-Token', csrfTokenFrom(page.text))
        .type('form')
        .send({ role: 'viewer' });
      expect(response.status).toBe(409);
      expect(response.text).not.toContain('<html');
      expect(response.text).not.toContain('That changed in the meantime');
      expect(response.text).toContain(`id="user-${adaId}-error" role="alert">This is the last admin`);
      expect(await roleOf(adaId)).toBe('admin');
    });

    it('should still change the role once another admin exists, with a flash on the Users page', async () => {
      const otto = await testApp.app
        .get(DataSource)
        .getRepository(User)
        .findOneByOrFail({ email: 'otto@contoso.test' });
      expect((await postForm(admin, '/users', `/users/${otto.id}/role`, { role: 'admin' })).status).toBe(303);
      expect((await admin.get('/users')).text).toContain('Otto Operator is now admin.');
      expect((await postForm(admin, '/users', `/users/${otto.id}/role`, { role: 'operator' })).status).toBe(303);
    });
  });

  describe('sign-in', () => {
    it('should tie the sign-in error to the fields and keep the page title', async () => {
      const response = await postForm(request.agent(testApp.server), '/login', '/login', {
        email: 'ada@contoso.test',
        password: 'wrong password, quite long',
      });
      expect(response.status).toBe(401);
      expect(titleOf(response.text)).toBe('Sign in · MCA Manager');
      expect(response.text).toContain('id="login-error"');
      expect(response.text.match(/aria-describedby="login-error"/g)).toHaveLength(2);
      expect(danglingDescriptions(response.text)).toEqual([]);
    });
  });

  describe('page titles', () => {
    it.each([
      ['/', 'Overview · MCA Manager'],
      ['/mca', 'Microsoft Customer Agreement · MCA Manager'],
      ['/users', 'Users · MCA Manager'],
      ['/users/new', 'Add a user · MCA Manager'],
      ['/settings/partner-center', 'Partner Center · MCA Manager'],
      ['/sync/status', 'Sync from Microsoft · MCA Manager'],
      ['/no-such-page', 'Page not found · MCA Manager'],
    ])('should give %s its own title', async (path, title) => {
      const page = await admin.get(path);
      expect(titleOf(page.text)).toBe(title);
      expect(danglingDescriptions(page.text)).toEqual([]);
    });

    it('should title the sign-in page and a refused form', async () => {
      expect(titleOf((await request(testApp.server).get('/login')).text)).toBe('Sign in · MCA Manager');
      const refused = await postForm(admin, '/users/new', '/users', { name: '', email: 'x', role: 'viewer' });
      expect(refused.status).toBe(422);
      expect(titleOf(refused.text)).toBe('Add a user · MCA Manager');
      expect(danglingDescriptions(refused.text)).toEqual([]);
    });
  });
});
