import request from 'supertest';
import { DataSource } from 'typeorm';
import { SessionRecord } from '../../src/sessions/session.entity';
import { User } from '../../src/users/user.entity';
import { UsersService } from '../../src/users/users.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { createUser, csrfTokenFrom, DEFAULT_PASSWORD, postForm, setUpFirstAdmin, signIn } from '../support/http';
import type TestAgent from 'supertest/lib/agent';

describe('Users page', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;

  const userByEmail = (email: string) => testApp.app.get(DataSource).getRepository(User).findOneByOrFail({ email });
  const post = async (agent: TestAgent, url: string, fields: Record<string, string> = {}) =>
    postForm(agent, '/users', url, fields);

  beforeAll(async () => {
    testApp = await createTestApp();
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = (await userByEmail('ada@contoso.test')).brokerId;
  });
  afterAll(() => testApp.close());

  it('should let an admin create a user with a role, who can then sign in', async () => {
    const response = await post(admin, '/users', {
      name: 'Otto Operator',
      email: 'Otto@Contoso.test',
      role: 'operator',
      password: DEFAULT_PASSWORD,
    });
    expect(response.status).toBe(303);
    const list = await admin.get('/users');
    expect(list.text).toContain('otto@contoso.test');
    expect(list.text).toContain('Otto Operator');
    expect((await signIn(testApp, 'otto@contoso.test')).response.status).toBe(303);
  });

  it('should show the form again with messages next to the fields for bad input, storing nothing', async () => {
    const before = await testApp.app.get(DataSource).getRepository(User).count();
    const response = await post(admin, '/users', {
      name: '<script>alert(1)</script>',
      email: 'otto@contoso.test',
      role: 'owner',
      password: 'x',
    });
    expect(response.status).toBe(422);
    expect(response.text).toContain('Choose a role');
    expect(response.text).toContain('Password must be at least 12 characters');
    expect(response.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(response.text).not.toContain('<script>alert(1)</script>');
    const duplicate = await post(admin, '/users', {
      name: 'Otto Again',
      email: 'otto@contoso.test',
      role: 'viewer',
      password: DEFAULT_PASSWORD,
    });
    expect(duplicate.status).toBe(422);
    expect(duplicate.text).toContain('A user with this email already exists');
    expect(await testApp.app.get(DataSource).getRepository(User).count()).toBe(before);
  });

  it.each([
    ['an empty name', { name: '' }, 'Enter name'],
    ['an overlong name', { name: 'n'.repeat(10_001) }, 'Name must be at most 200 characters'],
    ['a line break in a name', { name: 'Otto\r\nBcc: victim@example.com' }, 'Name cannot contain line breaks'],
    ['a direction override in a name', { name: 'Otto \u202egnp.exe' }, 'text-direction overrides'],
    ['bytes that are not UTF-8', { name: Buffer.from([0x4f, 0xff, 0xfe, 0x74]).toString('latin1') }, null],
  ])('should refuse %s with a message and no 500', async (_label, override, message) => {
    const page = await admin.get('/users/new');
    const fields: Record<string, string> = {
      _csrf: csrfTokenFrom(page.text),
      email: 'new.user@contoso.test',
      role: 'viewer',
      password: DEFAULT_PASSWORD,
    };
    Object.assign(fields, override);
    const body = Object.entries(fields)
      .map(
        ([key, value]) => `${key}=${key === 'name' && message === null ? '%4F%FF%FE%74' : encodeURIComponent(value)}`,
      )
      .join('&');
    const response = await admin.post('/users').set('Content-Type', 'application/x-www-form-urlencoded').send(body);
    expect(response.status).toBe(422);
    if (message) expect(response.text).toContain(message);
    else expect(response.text).toContain('contains characters that are not valid text');
    expect(await testApp.app.get(DataSource).getRepository(User).countBy({ email: 'new.user@contoso.test' })).toBe(0);
  });

  it('should refuse a body larger than the limit with a 413 page', async () => {
    const page = await admin.get('/users/new');
    const response = await admin
      .post('/users')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), name: 'x'.repeat(300_000) });
    expect(response.status).toBe(413);
    expect(response.text).toContain('too large');
  });

  it('should keep operators and viewers out of the users page', async () => {
    await createUser(testApp, brokerId, 'vera@contoso.test', 'viewer', 'Vera Viewer');
    const { agent } = await signIn(testApp, 'vera@contoso.test');
    const response = await agent.get('/users');
    expect(response.status).toBe(403);
    expect(response.text).toContain('You do not have access to this page');
    const home = await agent.get('/');
    const attempt = await agent
      .post('/users')
      .type('form')
      .send({
        _csrf: csrfTokenFrom(home.text),
        name: 'Sneaky',
        email: 'sneaky@contoso.test',
        role: 'admin',
        password: DEFAULT_PASSWORD,
      });
    expect(attempt.status).toBe(403);
  });

  it('should change a role and take effect on the next request', async () => {
    const otto = await userByEmail('otto@contoso.test');
    const { agent } = await signIn(testApp, 'otto@contoso.test');
    expect((await agent.get('/users')).status).toBe(403);
    expect((await post(admin, `/users/${otto.id}/role`, { role: 'admin' })).status).toBe(303);
    expect((await agent.get('/users')).status).toBe(200);
    expect((await post(admin, `/users/${otto.id}/role`, { role: 'operator' })).status).toBe(303);
    expect((await agent.get('/users')).status).toBe(403);
  });

  it('should end a deactivated user’s sessions at once', async () => {
    await createUser(testApp, brokerId, 'dora@contoso.test', 'operator', 'Dora');
    const dora = await userByEmail('dora@contoso.test');
    const { agent } = await signIn(testApp, 'dora@contoso.test');
    expect((await agent.get('/')).status).toBe(200);
    expect((await post(admin, `/users/${dora.id}/deactivate`)).status).toBe(303);
    expect(await testApp.app.get(DataSource).getRepository(SessionRecord).countBy({ userId: dora.id })).toBe(0);
    expect((await agent.get('/')).status).toBe(303);
    expect((await signIn(testApp, 'dora@contoso.test')).response.status).toBe(401);
  });

  it('should never remove the last admin', async () => {
    const ada = await userByEmail('ada@contoso.test');
    const demote = await post(admin, `/users/${ada.id}/role`, { role: 'viewer' });
    expect(demote.status).toBe(409);
    expect(demote.text).toContain('This is the last admin: make another user an admin first.');
    // Answered on the Users page itself, next to the row (users-page-details.e2e-spec covers the markup).
    expect(demote.text).toContain('class="row-error"');
    await expect(testApp.app.get(UsersService).findActiveSessionUser(ada.id)).resolves.toMatchObject({ role: 'admin' });
    const self = await post(admin, `/users/${ada.id}/deactivate`);
    expect(self.status).toBe(409);
    expect(self.text).toContain('You cannot deactivate yourself.');
  });

  it('should not reveal or touch another broker’s users', async () => {
    const otherBroker = await testApp.app
      .get(DataSource)
      .query(`INSERT INTO brokers (name) VALUES ('Northwind') RETURNING id`);
    const otherBrokerId = Number(otherBroker[0].id);
    const outsider = await createUser(testApp, otherBrokerId, 'nina@northwind.test', 'admin', 'Nina Northwind');
    const list = await admin.get('/users');
    expect(list.text).not.toContain('nina@northwind.test');
    const missing = await post(admin, `/users/${outsider.id}/deactivate`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Page not found');
    expect((await post(admin, `/users/${outsider.id}/role`, { role: 'viewer' })).status).toBe(404);
    await expect(userByEmail('nina@northwind.test')).resolves.toMatchObject({ active: true, role: 'admin' });
    const { agent } = await signIn(testApp, 'nina@northwind.test');
    const theirs = await agent.get('/users');
    expect(theirs.text).toContain('nina@northwind.test');
    expect(theirs.text).not.toContain('ada@contoso.test');
  });

  it('should answer 404 with a page for an unknown URL and an id that cannot be one', async () => {
    expect((await admin.get('/no-such-page')).status).toBe(404);
    expect((await post(admin, '/users/abc/deactivate')).status).toBe(404);
    const json = await request(testApp.server).get('/no-such-page').set('Accept', 'application/json');
    expect(json.status).toBe(404);
    expect(json.body).toMatchObject({ statusCode: 404, error: 'Page not found' });
  });
});
