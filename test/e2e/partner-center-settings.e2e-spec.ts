import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { SecretBox } from '../../src/common/secret-box';
import { PartnerCenterClient } from '../../src/partner-center/partner-center.client';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { PartnerCenterSettingsService } from '../../src/partner-center-settings/partner-center-settings.service';
import { runForBroker } from '../../src/common/request-context';
import { createTestApp, type TestApp } from '../support/test-app';
import { createUser, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { connectPartnerCenterUser } from '../support/partner-center-user';

const PAGE = '/settings/partner-center';
const TENANT_ID = '6f2b1a3c-0d4e-4f5a-9b8c-7d6e5f4a3b2c';
const APP_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SECRET = 'Sup3r~Secret.Value-that-must-never-show';

interface SettingsRow {
  mode: string;
  tenant_id: string;
  app_id: string;
  app_secret_sealed: string | null;
  refresh_token_sealed: string | null;
  connected_user: string | null;
  require_accepted_from: unknown;
}

describe('Partner Center settings', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;

  const save = (fields: Record<string, string>) =>
    postForm(admin, PAGE, PAGE, { mode: 'sandbox', tenantId: '', appId: '', clientSecret: '', ...fields });
  // The row as stored, read past the entity, to see what a copy of the database would show.
  const rawRow = () =>
    testApp.app
      .get(DataSource)
      .createQueryBuilder()
      .select('*')
      .from('partner_center_settings', 's')
      .where('s.broker_id = :brokerId', { brokerId })
      .getRawOne<SettingsRow>() as Promise<SettingsRow>;
  const flashAfter = async (response: { status: number; headers: Record<string, string> }) => {
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(PAGE);
    return (await admin.get(PAGE)).text;
  };

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true });
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = (await testApp.app.get(DataSource).query<{ id: number }[]>('SELECT id FROM brokers'))[0].id;
  });
  afterAll(() => testApp.close());

  it('should be for admins only', async () => {
    await createUser(testApp, brokerId, 'olga@contoso.test', 'operator');
    const operator = (await signIn(testApp, 'olga@contoso.test')).agent;
    expect((await operator.get(PAGE)).status).toBe(403);
    const token = /name="_csrf" value="([^"]+)"/.exec((await operator.get('/')).text)?.[1] as string;
    expect((await operator.get(`${PAGE}/connect`)).status).toBe(403);
    for (const path of [PAGE, `${PAGE}/test`, `${PAGE}/disconnect`]) {
      expect((await operator.post(path).type('form').send({ _csrf: token, mode: 'live' })).status).toBe(403);
    }
    expect(await rawRow()).toBeUndefined();
  });

  it('should start in sandbox mode with nothing to type, and test the connection', async () => {
    const page = await admin.get(PAGE);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<option value="sandbox" selected>/);
    expect(page.text).toContain('No secret stored yet.');
    // A new broker of a sandbox install starts with the sandbox's partner user connected (App+User).
    expect(page.text).toContain('Connected as <strong>admin@sandbox-partner.onmicrosoft.com</strong>');
    expect((await rawRow()).refresh_token_sealed).toMatch(/^v1\./);
    const text = await flashAfter(await postForm(admin, PAGE, `${PAGE}/test`, {}));
    expect(text).toContain('Connected: 40 customers visible, MCA template 117a77b0-9360-443b-8795-c6dedc750cf9.');
  });

  it("should say, when reached at another address, that customers' links need PUBLIC_URL", async () => {
    expect((await admin.get(PAGE)).text).not.toContain('id="link-note"');
    const elsewhere = await admin.get(PAGE).set('Host', 'mca.partner.example');
    expect(elsewhere.text).toContain('id="link-note"');
    expect(elsewhere.text).toContain(`the links customers get point at ${testApp.baseUrl}`);
    expect(elsewhere.text).toContain('Set PUBLIC_URL');
  });

  it('should explain the acceptance policy and who may attest, and refuse a date that is not one next to the field', async () => {
    const page = await admin.get(PAGE);
    expect(page.text).toContain('Require acceptance on or after');
    expect(page.text).toContain('1 April 2023');
    expect(page.text).toContain('Admin agent or Sales agent');
    expect(page.text).toContain('indirect resellers cannot attest');
    for (const [value, message] of [
      ['2023-02-30', 'Enter a date like 2023-04-01'],
      ['yesterday', 'Enter a date like 2023-04-01'],
      ['2018-12-31', 'dates from 2019'],
      ['2999-01-01', 'Enter today or an earlier date'],
    ]) {
      const refused = await postForm(admin, PAGE, `${PAGE}/acceptance-policy`, { requireAcceptedFrom: value });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('id="requireAcceptedFrom-error"');
      expect(refused.text).toContain(message);
      expect(refused.text).toContain(`value="${value}"`);
      // The other form keeps what is stored.
      expect(refused.text).toMatch(/<option value="sandbox" selected>/);
    }
    expect((await rawRow()).require_accepted_from ?? null).toBeNull();
    const saved = await flashAfter(
      await postForm(admin, PAGE, `${PAGE}/acceptance-policy`, { requireAcceptedFrom: '2023-04-01' }),
    );
    expect(saved).toContain('Acceptances older than 2023-04-01 are now marked');
    expect(saved).toContain('value="2023-04-01"');
    const [event] = await testApp.app
      .get(DataSource)
      .query(`SELECT data FROM audit_events WHERE action = 'partner_center.acceptance_policy_saved'`);
    expect(JSON.parse(event.data)).toEqual({ requireAcceptedFrom: '2023-04-01', before: null });
    await flashAfter(await postForm(admin, PAGE, `${PAGE}/acceptance-policy`, { requireAcceptedFrom: '' }));
    expect((await rawRow()).require_accepted_from ?? null).toBeNull();
  });

  it('should refuse live settings that are missing or not GUIDs, next to the fields, without echoing the secret', async () => {
    const response = await save({ mode: 'live', tenantId: 'not-a-guid', appId: '', clientSecret: '' });
    expect(response.status).toBe(422);
    expect(response.text).toContain('Tenant id must be a GUID');
    expect(response.text).toContain('Enter the app id: live mode needs it');
    expect(response.text).toContain('Enter the app secret: live mode needs it');
    expect(response.text).toContain('value="not-a-guid"');
    const withSecret = await save({ mode: 'live', tenantId: 'nope', appId: APP_ID, clientSecret: SECRET });
    expect(withSecret.status).toBe(422);
    expect(withSecret.text).not.toContain(SECRET);
    expect(await rawRow()).toMatchObject({ mode: 'sandbox', tenant_id: '', app_id: '', app_secret_sealed: null });
  });

  it('should store the secret encrypted and never show it again', async () => {
    const text = await flashAfter(
      await save({ mode: 'live', tenantId: TENANT_ID.toUpperCase(), appId: APP_ID, clientSecret: SECRET }),
    );
    expect(text).toContain('Partner Center settings saved.');
    expect(text).not.toContain(SECRET);
    expect(text).toContain('A secret is stored (encrypted). Leave empty to keep the current secret.');
    expect(text).toContain(`value="${TENANT_ID}"`);
    const row = await rawRow();
    expect(row).toMatchObject({ mode: 'live', tenant_id: TENANT_ID, app_id: APP_ID });
    expect(row.app_secret_sealed).toMatch(/^v1\./);
    expect(row.app_secret_sealed).not.toContain(SECRET);
    expect(
      testApp.app.get(SecretBox).open(row.app_secret_sealed as string, `partner-center:${brokerId}:appSecret`),
    ).toBe(SECRET);

    await flashAfter(await save({ mode: 'live', tenantId: TENANT_ID, appId: APP_ID, clientSecret: '' }));
    expect((await rawRow()).app_secret_sealed).toBe(row.app_secret_sealed);
    const credentials = await runForBroker(brokerId, () =>
      testApp.app.get(PartnerCenterSettingsService).credentialsFor(brokerId),
    );
    expect(credentials).toMatchObject({
      mode: 'live',
      authorityUrl: 'https://login.microsoftonline.com',
      apiBaseUrl: 'https://api.partnercenter.microsoft.com',
      appSecret: SECRET,
    });
  });

  it('should report a wrong secret when testing the connection', async () => {
    const registration = testApp.app.get(PartnerCenterSandboxService).appRegistration();
    await flashAfter(
      await save({
        mode: 'sandbox',
        tenantId: registration.tenantId,
        appId: registration.appId,
        clientSecret: 'wrong-secret',
      }),
    );
    const text = await flashAfter(await postForm(admin, PAGE, `${PAGE}/test`, {}));
    expect(text).toContain('flash-error');
    expect(text).not.toContain('Connected:');
    expect(text).not.toContain('wrong-secret');

    await flashAfter(
      await save({
        mode: 'sandbox',
        tenantId: registration.tenantId,
        appId: registration.appId,
        clientSecret: registration.appSecret,
      }),
    );
    // The app registration changed, so its user was let go: the app alone is tested, and told what is missing.
    expect(await flashAfter(await postForm(admin, PAGE, `${PAGE}/test`, {}))).toContain(
      'The app is connected: 40 customers visible. Connect a Partner Center user to read the customers&#x27; acceptances.',
    );
  });

  it('should connect a Partner Center user through the sign-in, keep the refresh token encrypted, and disconnect', async () => {
    const partnerUser = testApp.app.get(PartnerCenterSandboxService).appRegistration().partnerUser;
    const callback = await connectPartnerCenterUser(admin);
    const text = await flashAfter(callback);
    expect(text).toContain(`Connected as ${partnerUser}.`);
    expect(text).toContain(`Connected as <strong>${partnerUser}</strong> since`);
    const row = await rawRow();
    expect(row.refresh_token_sealed).toMatch(/^v1\./);
    expect(row.connected_user).toBe(partnerUser);
    const credentials = await runForBroker(brokerId, () =>
      testApp.app.get(PartnerCenterSettingsService).credentialsFor(brokerId),
    );
    expect(credentials.refreshToken).toBe(
      testApp.app.get(SecretBox).open(row.refresh_token_sealed as string, `partner-center:${brokerId}:refreshToken`),
    );
    expect(row.refresh_token_sealed).not.toContain(credentials.refreshToken as string);

    const after = await flashAfter(await postForm(admin, PAGE, `${PAGE}/disconnect`, {}));
    expect(after).toContain('No user is connected.');
    expect((await rawRow()).refresh_token_sealed).toBeNull();
  });

  it('should keep the newest refresh token each time Partner Center rotates it', async () => {
    await flashAfter(await connectPartnerCenterUser(admin));
    const settings = testApp.app.get(PartnerCenterSettingsService);
    const first = await runForBroker(brokerId, () => settings.credentialsFor(brokerId));
    const client = testApp.app.get(PartnerCenterClient);
    const customer = (await client.listCustomers(first, { pageSize: 1 })).items[0];
    // The access token from the sign-in is cached: expire it so that the next call trades the refresh token.
    testApp.app.get(PartnerCenterSandboxService).server.expireTokens();
    await runForBroker(brokerId, () => client.getDirectAcceptance(first, customer.tenantId));

    const second = await runForBroker(brokerId, () => settings.credentialsFor(brokerId));
    expect(second.refreshToken).toBeDefined();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    testApp.app.get(PartnerCenterSandboxService).server.expireTokens();
    await expect(runForBroker(brokerId, () => client.getDirectAcceptance(second, customer.tenantId))).resolves.toEqual(
      expect.any(Boolean),
    );
    await flashAfter(await postForm(admin, PAGE, `${PAGE}/disconnect`, {}));
  });

  it('should refuse a sign-in answer that this session did not ask for', async () => {
    const forged = await admin.get(`${PAGE}/callback?code=stolen-code&state=forged-state`);
    const text = await flashAfter(forged);
    expect(text).toContain('This sign-in was not started here');
    expect((await rawRow()).refresh_token_sealed).toBeNull();
  });

  it('should let a connected user go when the app registration changes', async () => {
    await flashAfter(await connectPartnerCenterUser(admin));
    const text = await flashAfter(await save({ mode: 'sandbox', tenantId: '', appId: '', clientSecret: '' }));
    expect(text).toContain('the connected user was disconnected');
    expect((await rawRow()).refresh_token_sealed).toBeNull();
  });
});
