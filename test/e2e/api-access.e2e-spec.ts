import type TestAgent from 'supertest/lib/agent';
import { ApiToken } from '../../src/api-tokens/api-token.entity';
import { hashApiToken } from '../../src/api-tokens/api-tokens.service';
import { SqlService } from '../../src/database/sql.service';
import { apiClient, createApiToken } from '../support/api';
import { auditEvents } from '../support/audit';
import { createUser, csrfTokenFrom, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { brokerIdOf, createBroker } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const NEW_TOKEN = /id="new-token"[^>]*value="(mcam_[A-Za-z0-9_-]{43})"/;

describe('API access page', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;
  const clock = new TestClock().set('2026-12-07T10:00:30Z');

  const tokenRows = () => testApp.app.get(SqlService).manager.find(ApiToken, { order: { id: 'ASC' } });
  const create = (fields: Record<string, string>) =>
    postForm(admin, '/api-access', '/api-access', { name: 'Billing', scope: 'read', expiry: 'never', ...fields });
  // Creates a token through the page and reads it from the one page view that shows it.
  const createThroughPage = async (fields: Record<string, string>) => {
    expect((await create(fields)).status).toBe(303);
    const page = await admin.get('/api-access');
    const secret = NEW_TOKEN.exec(page.text)?.[1];
    if (!secret) throw new Error('The new token was not shown');
    return { page, secret };
  };

  beforeAll(async () => {
    testApp = await createTestApp({ clock });
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
  });
  afterAll(() => testApp.close());

  it('should be linked from the admin navigation and say how to use a token', async () => {
    const page = await admin.get('/api-access');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/api-access" aria-current="page">API access</a>');
    expect(page.text).toContain('<code>Authorization: Bearer &lt;token&gt;</code>');
    expect(page.text).toContain('<a href="/api-reference">API reference</a>');
    expect(page.text).toContain('Each token may make 600 requests a minute.');
    expect(page.text).not.toContain('id="new-token"');
  });

  it('should show a new token once, after the redirect, and list it with its scope, creator and expiry', async () => {
    const created = await create({ name: 'Provisioning', scope: 'write', expiry: '90' });
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe('/api-access');
    expect(created.text).not.toContain('mcam_');

    const page = await admin.get('/api-access');
    const secret = NEW_TOKEN.exec(page.text)?.[1];
    expect(secret).toBeDefined();
    expect(page.text).toContain('Copy the token “Provisioning” now');
    expect(page.text).toContain('It is shown only this once.');
    expect(page.headers['cache-control']).toContain('no-store');
    const [row] = (await tokenRows()).filter((token) => token.name === 'Provisioning');
    expect(row).toMatchObject({
      brokerId,
      scope: 'write',
      tokenHash: hashApiToken(secret!),
      tokenPrefix: secret!.slice(0, 12),
      expiresAt: new Date('2027-03-07T10:00:30Z'),
      revokedAt: null,
    });
    const table = page.text.slice(page.text.indexOf('id="api-tokens"'));
    expect(table).toContain(`<code>${secret!.slice(0, 12)}…</code>`);
    expect(table).toContain('Read and write');
    expect(table).toContain('by Ada Admin');
    expect(table).toContain('7 Mar 2027');
    expect(table).toContain('token-active">Active');
    expect(table.split(secret!)).toHaveLength(1);

    const again = await admin.get('/api-access');
    expect(again.text).not.toContain(secret);
    expect(again.text).not.toContain('id="new-token"');

    const answer = await apiClient(testApp, secret!).get('/api/v1/token').expect(200);
    expect(answer.body).toEqual({ id: row.id, name: 'Provisioning', scope: 'write' });
  });

  it('should show when a token was last used', async () => {
    const { secret } = await createThroughPage({ name: 'Last use', expiry: '30' });
    const lastUsed = () =>
      admin
        .get('/api-access')
        .then((page) => /<bdi>Last use<\/bdi>[\s\S]*?data-label="Last used">(.*?)<\/td>/.exec(page.text)?.[1]);
    expect(await lastUsed()).toContain('Never');
    await apiClient(testApp, secret).get('/api/v1/token').expect(200);
    expect(await lastUsed()).toContain('datetime="2026-12-07T10:00:30.000Z"');
  });

  it('should take an expiry date and refuse one that is not a date or not in the future, storing nothing', async () => {
    const before = (await tokenRows()).length;
    const cases: [Record<string, string>, string, string][] = [
      [{ name: '' }, 'name', 'Enter name'],
      [{ name: 'x'.repeat(101) }, 'name', 'Name must be at most 100 characters'],
      [{ scope: 'admin' }, 'scope', 'Choose what the token may do: read, or read and write'],
      [{ expiry: '7' }, 'expiry', 'Choose when the token expires'],
      [{ expiry: 'date' }, 'expiresOn', 'Choose the date the token stops working'],
      [{ expiry: 'date', expiresOn: '2027-02-30' }, 'expiresOn', 'Enter a real date, like 2027-01-31'],
      [{ expiry: 'date', expiresOn: '31/01/2027' }, 'expiresOn', 'Enter a real date, like 2027-01-31'],
      [{ expiry: 'date', expiresOn: '2026-12-07' }, 'expiresOn', 'Choose a date after today'],
    ];
    for (const [fields, field, message] of cases) {
      const response = await create({ name: 'Refused', ...fields });
      expect(response.status).toBe(422);
      expect(response.text).toMatch(new RegExp(`id="${field}-error">${message}`));
      expect(response.text).toContain('id="api-tokens"');
    }
    expect(await tokenRows()).toHaveLength(before);

    const { page } = await createThroughPage({ name: 'Dated', expiry: 'date', expiresOn: '2027-01-31' });
    expect(page.text).toContain('datetime="2027-01-31T00:00:00.000Z"');
  });

  it('should refuse a form without its CSRF token', async () => {
    const before = (await tokenRows()).length;
    const response = await admin
      .post('/api-access')
      .type('form')
      .send({ name: 'No CSRF', scope: 'read', expiry: 'never' });
    expect(response.status).toBe(403);
    expect(await tokenRows()).toHaveLength(before);
  });

  it('should revoke a token after a confirmation: the API refuses it from the next request', async () => {
    const { secret } = await createThroughPage({ name: 'To revoke', scope: 'write' });
    await apiClient(testApp, secret).get('/api/v1/token').expect(200);
    const [row] = (await tokenRows()).filter((token) => token.name === 'To revoke');

    const confirm = await admin.get(`/api-access/${row.id}/revoke`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Revoke the token “<bdi>To revoke</bdi>”?');
    expect((await admin.post(`/api-access/${row.id}/revoke`).type('form').send({})).status).toBe(403);
    await apiClient(testApp, secret).get('/api/v1/token').expect(200);

    const revoked = await admin
      .post(`/api-access/${row.id}/revoke`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(confirm.text) });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.location).toBe('/api-access');
    const page = await admin.get('/api-access');
    expect(page.text).toContain('The token “To revoke” is revoked: the API refuses it from now on.');
    expect(page.text).toMatch(/<bdi>To revoke<\/bdi>[\s\S]*?token-revoked">Revoked/);
    expect(page.text).not.toContain(`href="/api-access/${row.id}/revoke"`);

    const refused = await apiClient(testApp, secret).get('/api/v1/token').expect(401);
    expect(JSON.parse(refused.text)).toMatchObject({
      type: '/api/v1/problems/unauthenticated',
      detail: 'This API token has been revoked.',
    });
  });

  it('should show an expired token as expired', async () => {
    await createApiToken(testApp, brokerId, { name: 'Short-lived', expiresAt: new Date(clock.now().getTime() + 1000) });
    clock.advance(2000);
    const page = await admin.get('/api-access');
    expect(page.text).toMatch(/<bdi>Short-lived<\/bdi>[\s\S]*?token-expired">Expired/);
  });

  it("should answer another broker's token, or an id that is none, as not found", async () => {
    const northwind = await createBroker(testApp, 'Northwind');
    await createApiToken(testApp, northwind, { name: 'Northwind system' });
    const [theirs] = (await tokenRows()).filter((token) => token.name === 'Northwind system');
    expect((await admin.get('/api-access')).text).not.toContain('Northwind system');
    expect((await admin.get(`/api-access/${theirs.id}/revoke`)).status).toBe(404);
    const page = await admin.get('/api-access');
    for (const id of [String(theirs.id), '0', 'abc', '99999999999999999999']) {
      const response = await admin
        .post(`/api-access/${id}/revoke`)
        .type('form')
        .send({ _csrf: csrfTokenFrom(page.text) });
      expect(response.status).toBe(404);
    }
    expect((await tokenRows()).find((token) => token.id === theirs.id)?.revokedAt).toBeNull();
  });

  it('should keep operators and viewers out, and not show them the link', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      await createUser(testApp, brokerId, `${role}@contoso.test`, role);
      const { agent } = await signIn(testApp, `${role}@contoso.test`);
      expect((await agent.get('/api-access')).status).toBe(403);
      expect((await agent.get('/')).text).not.toContain('href="/api-access"');
      const home = await agent.get('/');
      const response = await agent
        .post('/api-access')
        .type('form')
        .send({ _csrf: csrfTokenFrom(home.text), name: 'Sneaky', scope: 'write', expiry: 'never' });
      expect(response.status).toBe(403);
    }
    expect((await tokenRows()).some((token) => token.name === 'Sneaky')).toBe(false);
  });

  it('should record each creation and revocation with the admin as actor, and never the token itself', async () => {
    const { secret } = await createThroughPage({ name: 'Audited', scope: 'write' });
    const [row] = (await tokenRows()).filter((token) => token.name === 'Audited');
    const confirm = await admin.get(`/api-access/${row.id}/revoke`);
    await admin
      .post(`/api-access/${row.id}/revoke`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(confirm.text) });

    const events = (await auditEvents(testApp)).filter(
      (event) => event.subject_type === 'api_token' && event.subject_id === String(row.id),
    );
    expect(events.map((event) => [event.action, event.actor_type, event.actor_label])).toEqual([
      ['api_token.created', 'user', 'ada@contoso.test'],
      ['api_token.revoked', 'user', 'ada@contoso.test'],
    ]);
    const everything = JSON.stringify(await auditEvents(testApp));
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(hashApiToken(secret));

    const trail = await admin.get('/audit?action=api_token');
    expect(trail.text).toContain('API token created');
    expect(trail.text).toContain('API token revoked');
    expect(trail.text).toContain('ada@contoso.test');
    expect(trail.text).not.toContain(secret);
  });
});
