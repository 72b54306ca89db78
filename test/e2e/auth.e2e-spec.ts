import request from 'supertest';
import { SqlService } from '../../src/database/sql.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { csrfTokenFrom, DEFAULT_PASSWORD, postForm, setUpFirstAdmin, signIn } from '../support/http';

describe('Setup and sign-in', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(() => testApp.close());

  it('should send a new visitor to the setup page when no user exists', async () => {
    const response = await request(testApp.server).get('/');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/setup');
  });

  it('should show the setup form again with a message next to each bad field', async () => {
    const agent = request.agent(testApp.server);
    const response = await postForm(agent, '/setup', '/setup', {
      brokerName: '',
      name: 'x'.repeat(10_001),
      email: 'not-an-email',
      password: 'short',
    });
    expect(response.status).toBe(422);
    expect(response.text).toContain('Enter organisation name');
    expect(response.text).toContain('Your name must be at most 200 characters');
    expect(response.text).toContain('Enter a valid email address');
    expect(response.text).toContain('Password must be at least 12 characters');
    expect(response.text).not.toContain('value="short"');
  });

  it('should create the broker and its first admin once, then refuse the setup page', async () => {
    const { agent, response } = await setUpFirstAdmin(testApp);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/');
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Contoso Cloud');
    expect(home.text).toContain('Ada Admin');
    // Setup signed the first admin in: the Users page shows when, not "Never".
    const users = await agent.get('/users');
    expect(users.status).toBe(200);
    expect(users.text).not.toContain('Never');
    const [admin] = await testApp.app.get(SqlService).query<{
      last_sign_in_at: unknown;
    }>`SELECT last_sign_in_at FROM users WHERE email = ${'ada@contoso.test'}`;
    expect(
      Date.now() - (testApp.app.get(SqlService).dialect.decodeTimestamp(admin.last_sign_in_at)?.getTime() ?? 0),
    ).toBeLessThan(120_000);

    const again = await request(testApp.server).get('/setup');
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe('/login');
    const second = await postForm(request.agent(testApp.server), '/login', '/setup', {
      brokerName: 'Evil Corp',
      name: 'Mallory',
      email: 'mallory@evil.test',
      password: DEFAULT_PASSWORD,
    });
    expect(second.status).toBe(409);
    expect((await signIn(testApp, 'mallory@evil.test')).response.status).toBe(401);
  });

  it('should sign in with the right password, case-insensitively by email', async () => {
    const { agent, response } = await signIn(testApp, 'ADA@contoso.test');
    expect(response.status).toBe(303);
    expect((await agent.get('/')).status).toBe(200);
  });

  it('should refuse a wrong password and an unknown email with the same message', async () => {
    const wrong = await signIn(testApp, 'ada@contoso.test', 'wrong password!!');
    const unknown = await signIn(testApp, 'nobody@contoso.test', DEFAULT_PASSWORD);
    expect(wrong.response.status).toBe(401);
    expect(unknown.response.status).toBe(401);
    expect(wrong.response.text).toContain('Email or password is incorrect.');
    expect(unknown.response.text).toContain('Email or password is incorrect.');
    expect((await wrong.agent.get('/')).status).toBe(303);
  });

  it('should refuse a form without a valid CSRF token and change nothing', async () => {
    const agent = request.agent(testApp.server);
    await agent.get('/login');
    const response = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: 'forged', email: 'ada@contoso.test', password: DEFAULT_PASSWORD });
    expect(response.status).toBe(403);
    expect(response.text).toContain('This form has expired');
    expect((await agent.get('/')).status).toBe(303);
  });

  it('should sign out and end the session', async () => {
    const { agent } = await signIn(testApp, 'ada@contoso.test');
    const home = await agent.get('/');
    const response = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfTokenFrom(home.text) });
    expect(response.status).toBe(303);
    expect((await agent.get('/')).headers.location).toMatch(/^\/login/);
  });

  it('should report the database as ready, signed out', async () => {
    const response = await request(testApp.server).get('/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ready', checks: { database: { status: 'pass' } } });
  });
});
