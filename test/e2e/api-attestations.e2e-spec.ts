import { DataSource } from 'typeorm';
import { ApiTokensService } from '../../src/api-tokens/api-tokens.service';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { apiClient, createApiToken } from '../support/api';
import { acceptAsCustomer, attestationRows, sandboxOf, syncTenants } from '../support/attestations';
import { auditEvents } from '../support/audit';
import { createUser, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createBroker, seedTenants } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

// The attestation as JSON fields: the create form's, with booleans.
const SIGNATORY = {
  signatoryFirstName: 'Grace',
  signatoryLastName: 'Hopper',
  signatoryEmail: 'grace@fabrikam.test',
  signatoryPhone: '+1 425 555 0100',
  companyName: 'Fabrikam, Inc.',
  country: 'US',
  language: 'en-US',
};

const problemOf = (response: { text: string; headers: Record<string, string> }) => {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return JSON.parse(response.text) as { type: string; status: number; detail: string; errors?: object };
};

describe('API: attestations', () => {
  let testApp: TestApp;
  let smtp: TestSmtp;
  let tenants: Tenant[];
  let writer: ReturnType<typeof apiClient>;
  let reader: ReturnType<typeof apiClient>;
  let writerId: number;
  let next = 0;
  const freshTenant = () => tenants.filter((t) => t.status === 'none')[next++];
  const create = (tenant: Tenant, fields: object = {}) =>
    writer.post('/api/v1/attestations', { tenantId: tenant.id, ...SIGNATORY, ...fields });
  const count = async () => (await attestationRows(testApp)).length;

  beforeAll(async () => {
    smtp = await startSmtp();
    testApp = await createTestApp({
      listen: true,
      env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url, MAIL_FROM: 'Contoso Cloud <partners@contoso.test>' },
    });
    const { agent } = await setUpFirstAdmin(testApp);
    tenants = await syncTenants(testApp, agent);
    const token = await createApiToken(testApp, 1, { name: 'Provisioning', scope: 'write' });
    writer = apiClient(testApp, token);
    writerId = (await testApp.app.get(ApiTokensService).list(1)).find((t) => t.name === 'Provisioning')!.id;
    reader = apiClient(testApp, await createApiToken(testApp, 1, { name: 'Dashboard', scope: 'read' }));
  });
  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  it('takes a token from create to Attested: the customer accepts in the sandbox, the token finalizes', async () => {
    const tenant = freshTenant();
    const created = await create(tenant, { autoFinalize: false }).expect(201);
    expect(created.body).toMatchObject({
      tenantId: tenant.id,
      state: 'awaiting_acceptance',
      stateLabel: 'Awaiting acceptance',
      signatory: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@fabrikam.test', phone: '+1 425 555 0100' },
      autoFinalize: false,
      emailLink: false,
      createdBy: expect.stringMatching(/^API token "Provisioning" \(mcam_/),
      tenant: { id: tenant.id, name: tenant.name, status: 'pending' },
      timeline: [
        { action: 'attestation.created', label: 'Link created', actor: expect.stringContaining('Provisioning') },
      ],
    });
    expect(created.body.acceptanceLink.startsWith(`${testApp.baseUrl}/agreement/`)).toBe(true);
    expect(Date.parse(created.body.linkExpiresAt)).toBeGreaterThan(Date.now());
    const id = created.body.id as number;

    await acceptAsCustomer(testApp, created.body.acceptanceLink);
    const accepted = await reader.get(`/api/v1/attestations/${id}`).expect(200);
    expect(accepted.body).toMatchObject({ state: 'accepted', stateLabel: 'Ready to finalize' });
    expect(accepted.body.timeline.map((step: { action: string }) => step.action)).toEqual([
      'attestation.created',
      'attestation.accepted',
    ]);

    const finalizing = await writer.post(`/api/v1/attestations/${id}/finalize`).expect(202);
    expect(finalizing.body).toMatchObject({ state: 'accepted', finalizeRequestedAt: expect.any(String) });
    const attested = await eventually(async () => {
      const response = await reader.get(`/api/v1/attestations/${id}`);
      return response.body.state === 'finalized' ? response.body : undefined;
    });
    expect(attested).toMatchObject({
      stateLabel: 'Finalized',
      finalizedAt: expect.any(String),
      tenant: { id: tenant.id, status: 'attested', statusLabel: expect.stringContaining('Attested') },
    });
    expect(attested.timeline.map((step: { action: string }) => step.action)).toEqual([
      'attestation.created',
      'attestation.accepted',
      'attestation.finalize_requested',
      'attestation.finalized',
    ]);
    const agreements = sandboxOf(testApp)
      .customers()
      .find((c) => c.id === tenant.microsoftTenantId)?.agreements;
    expect(agreements).toHaveLength(1);

    const writes = (await auditEvents(testApp)).filter(
      (event) =>
        event.subject_id === String(id) &&
        ['attestation.created', 'attestation.finalize_requested'].includes(event.action),
    );
    expect(writes.map((event) => [event.action, event.actor_type, event.actor_id])).toEqual([
      ['attestation.created', 'token', writerId],
      ['attestation.finalize_requested', 'token', writerId],
    ]);
    expect(writes[0].actor_label).toMatch(/^API token "Provisioning"/);
  });

  it('cancels and renews through the page’s state machine, refusing with the page’s words (409)', async () => {
    const tenant = freshTenant();
    const { body } = await create(tenant, { autoFinalize: true }).expect(201);

    const early = problemOf(await writer.post(`/api/v1/attestations/${body.id}/finalize`).expect(409));
    expect(early).toMatchObject({
      type: '/api/v1/problems/conflict',
      detail: 'The customer has not accepted yet: an attestation can be finalized only after acceptance.',
    });
    const second = problemOf(await create(tenant).expect(409));
    expect(second.detail).toBe(
      'This tenant already has an open attestation: finish or cancel it before creating another.',
    );

    const cancelled = await writer.post(`/api/v1/attestations/${body.id}/cancel`).expect(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', tenant: { status: 'none' } });
    const again = problemOf(await writer.post(`/api/v1/attestations/${body.id}/cancel`).expect(409));
    expect(again.detail).toBe('This attestation is cancelled: nothing more can be done with it. Create a new one.');
    const [cancelEvent] = (await auditEvents(testApp, 'attestation.cancelled')).filter(
      (event) => event.subject_id === String(body.id),
    );
    expect([cancelEvent.actor_type, cancelEvent.actor_id]).toEqual(['token', writerId]);

    const renewed = await writer.post(`/api/v1/attestations/${body.id}/new-link`).expect(201);
    expect(renewed.body).toMatchObject({
      tenantId: tenant.id,
      state: 'awaiting_acceptance',
      signatory: cancelled.body.signatory,
      autoFinalize: true,
    });
    expect(renewed.body.id).not.toBe(body.id);
    expect(renewed.body.acceptanceLink).not.toBe(body.acceptanceLink);
    const onOpen = problemOf(await writer.post(`/api/v1/attestations/${renewed.body.id}/new-link`).expect(409));
    expect(onOpen.detail).toBe(
      'This tenant already has an open attestation: finish or cancel it before creating another.',
    );
  });

  it('lists by state with a cursor, newest first, following `next` to the end', async () => {
    for (let i = 0; i < 3; i++) await create(freshTenant()).expect(201);
    const all = (await reader.get('/api/v1/attestations?state=awaiting_acceptance&limit=100').expect(200)).body;
    expect(all.next).toBeNull();
    expect(all.data.length).toBeGreaterThanOrEqual(4);
    expect(all.data.every((a: { state: string }) => a.state === 'awaiting_acceptance')).toBe(true);

    const seen: number[] = [];
    let url: string | null = '/api/v1/attestations?state=awaiting_acceptance&limit=1';
    while (url) {
      const page: { data: { id: number }[]; next: string | null } = (await reader.get(url).expect(200)).body;
      expect(page.data.length).toBeLessThanOrEqual(1);
      seen.push(...page.data.map((a) => a.id));
      url = page.next;
    }
    expect(seen).toEqual(all.data.map((a: { id: number }) => a.id));
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);

    const everything = (await reader.get('/api/v1/attestations?limit=100').expect(200)).body;
    expect(everything.data.map((a: { state: string }) => a.state)).toEqual(
      expect.arrayContaining(['awaiting_acceptance', 'cancelled', 'finalized']),
    );

    for (const query of ['state=signed', 'limit=0', 'limit=101', 'limit=ten', 'cursor=bm9wZQ', 'sort=name']) {
      const refused = problemOf(await reader.get(`/api/v1/attestations?${query}`).expect(422));
      expect(refused.type).toBe('/api/v1/problems/validation-failed');
    }
  });

  it('refuses writes to a read token (403), another broker’s and impossible ids (404), a revoked token (401)', async () => {
    const tenant = freshTenant();
    const before = await count();
    const forbidden = problemOf(
      await reader.post('/api/v1/attestations', { tenantId: tenant.id, ...SIGNATORY }).expect(403),
    );
    expect(forbidden.type).toBe('/api/v1/problems/forbidden');
    const { body } = await create(tenant).expect(201);
    for (const action of ['finalize', 'cancel', 'new-link'])
      await reader.post(`/api/v1/attestations/${body.id}/${action}`).expect(403);
    expect(await count()).toBe(before + 1);

    const northwind = await createBroker(testApp, 'Northwind Partners');
    await createUser(testApp, northwind, 'olga@northwind.test', 'admin');
    const [theirs] = await seedTenants(testApp, northwind, [{ name: 'Northwind Customer' }]);
    const other = apiClient(testApp, await createApiToken(testApp, northwind));
    for (const path of [`/api/v1/attestations/${body.id}`])
      expect(problemOf(await other.get(path).expect(404)).type).toBe('/api/v1/problems/not-found');
    for (const action of ['finalize', 'cancel', 'new-link'])
      await other.post(`/api/v1/attestations/${body.id}/${action}`).expect(404);
    expect((await other.get('/api/v1/attestations').expect(200)).body).toEqual({ data: [], next: null });
    const theirTenant = problemOf(
      await writer.post('/api/v1/attestations', { tenantId: theirs.id, ...SIGNATORY }).expect(404),
    );
    expect(theirTenant.detail).toBe('That tenant was not found');

    for (const id of ['0', '-1', '2147483648', '99999999999999999999', 'abc', '1e3', '7.0'])
      expect(problemOf(await reader.get(`/api/v1/attestations/${id}`).expect(404)).status).toBe(404);
    await writer.post('/api/v1/attestations/2147483647/finalize').expect(404);
    expect(await count()).toBe(before + 1);

    const revocable = await createApiToken(testApp, 1, { name: 'Old' });
    const old = testApp.app.get(ApiTokensService);
    const oldId = (await old.list(1)).find((t) => t.name === 'Old')!.id;
    await apiClient(testApp, revocable).get(`/api/v1/attestations/${body.id}`).expect(200);
    await old.revoke(1, oldId);
    const revoked = problemOf(
      await apiClient(testApp, revocable).post(`/api/v1/attestations/${body.id}/cancel`).expect(401),
    );
    expect(revoked.detail).toBe('This API token has been revoked.');
    expect((await reader.get(`/api/v1/attestations/${body.id}`)).body.state).toBe('awaiting_acceptance');
  });

  it('refuses bad input by field with the form’s words (422), writing nothing and never answering 500', async () => {
    const tenant = freshTenant();
    const before = await count();
    const calls = sandboxOf(testApp).requests.length;

    const unknown = problemOf(await create(tenant, { autoFinalise: true, requestToken: 'x' }).expect(422));
    expect(unknown.errors).toEqual({
      autoFinalise: 'This field is not known: check its name against the API reference.',
      requestToken: 'This field is not known: check its name against the API reference.',
    });

    const types = problemOf(
      await writer
        .post('/api/v1/attestations', {
          tenantId: String(tenant.id),
          signatoryFirstName: 5,
          signatoryEmail: ['grace@fabrikam.test'],
          autoFinalize: 'yes',
          emailLink: 1,
        })
        .expect(422),
    );
    expect(types.errors).toEqual({
      tenantId: 'Send the id of one of your tenants, a whole number',
      signatoryFirstName: 'Send this field as a JSON string',
      signatoryEmail: 'Send this field as a JSON string',
      autoFinalize: 'Send this field as true or false',
      emailLink: 'Send this field as true or false',
    });
    for (const tenantId of [0, -4, 2 ** 31, 1.5, null])
      expect(
        problemOf(await writer.post('/api/v1/attestations', { ...SIGNATORY, tenantId }).expect(422)).errors,
      ).toEqual({
        tenantId: 'Send the id of one of your tenants, a whole number',
      });

    const rules = problemOf(
      await create(tenant, {
        signatoryFirstName: '   ',
        signatoryLastName: 'x'.repeat(101),
        signatoryEmail: 'grace@',
        signatoryPhone: 'call me',
        country: 'Atlantis',
        language: 'xx',
      }).expect(422),
    );
    expect(rules).toMatchObject({ type: '/api/v1/problems/validation-failed', status: 422 });
    expect(rules.errors).toEqual({
      signatoryFirstName: 'Enter the first name',
      signatoryLastName: 'The last name must be at most 100 characters',
      signatoryEmail: 'Enter a valid email address, like name@example.com',
      signatoryPhone: 'Enter a phone number with digits, spaces and + ( ) - only, at most 40 characters',
      country: 'Choose a country from the list',
      language: 'Choose a language from the list',
    });
    const missing = problemOf(await writer.post('/api/v1/attestations', { tenantId: tenant.id }).expect(422));
    expect(missing.errors).toMatchObject({
      signatoryFirstName: 'Enter the first name',
      signatoryEmail: 'Enter the email address',
      companyName: 'Enter the company name',
    });
    await writer.post('/api/v1/attestations', []).expect(422);
    await writer.post('/api/v1/attestations').expect(422);

    expect(await count()).toBe(before);
    expect(sandboxOf(testApp).requests.length).toBe(calls);
    await create(tenant).expect(201);
  });

  it('records the token, not a user, as the creator', async () => {
    const rows = await testApp.app
      .get(DataSource)
      .query(`SELECT created_by_user_id, created_by_label FROM attestations ORDER BY id LIMIT 1`);
    expect(rows[0].created_by_user_id).toBeNull();
    expect(rows[0].created_by_label).toMatch(/^API token "Provisioning"/);
  });
});
