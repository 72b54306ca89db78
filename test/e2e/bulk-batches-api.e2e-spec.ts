import { duplicateOf, UNKNOWN_TENANT } from '../../src/bulk-attestations/batch-rows-validation';
import { DataSource } from 'typeorm';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { apiClient, createApiToken } from '../support/api';
import { auditEvents } from '../support/audit';
import { draftBatch, rowFor } from '../support/batches';
import { createUser, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { brokerIdOf, createBroker, seedTenants } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

const row = (tenant: Pick<Tenant, 'microsoftTenantId'>, n: number) => ({
  microsoftTenantId: tenant.microsoftTenantId,
  signatoryFirstName: 'Api',
  signatoryLastName: `Signer ${n}`,
  signatoryEmail: `api${n}@customer.test`,
  country: 'US',
  language: 'en-US',
});

// The batch through the JSON API: one call creates and starts it, another reads its progress and rows.
describe('Attestation batches API', () => {
  let testApp: TestApp;
  let brokerId: number;
  let tenants: Tenant[];
  let write: ReturnType<typeof apiClient>;
  const count = async (table: string) =>
    Number((await testApp.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    testApp = await createTestApp({
      env: { ...FAST_JOBS_ENV, PARTNER_CENTER_RETRY_BASE_MS: '5', PARTNER_CENTER_RETRY_MAX_WAIT_MS: '20' },
    });
    await setUpFirstAdmin(testApp);
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    tenants = await seedTenants(testApp, brokerId, [
      ...Array.from({ length: 5 }, (_, i) => ({ name: `Api Customer ${i}` })),
      { name: 'Accepted Customer', status: 'attested' as const },
    ]);
    write = apiClient(testApp, await createApiToken(testApp, brokerId, { name: 'Provisioning' }));
  });
  afterAll(() => testApp.close());

  it('should create and start a batch in one call, then show its progress and rows a page at a time', async () => {
    const [a, b, c, , , accepted] = tenants;
    const created = await write
      .post('/api/v1/attestation-batches', {
        rows: [row(a, 1), row(b, 2), { ...row(c, 3), autoFinalize: true }, row(accepted, 4)],
      })
      .expect(202);
    const batch = created.body as { id: number; status: string; source: string; progress: Record<string, number> };
    expect(batch).toMatchObject({ status: 'running', source: 'api', rowCount: 4 });
    expect(batch.progress).toMatchObject({ toSend: 3, skipped: 1 });

    await eventually(async () => {
      const read = await write.get(`/api/v1/attestation-batches/${batch.id}`).expect(200);
      return read.body.status === 'finished' ? read : undefined;
    }, 50);
    const first = await write.get(`/api/v1/attestation-batches/${batch.id}?limit=2`).expect(200);
    expect(first.body.progress).toMatchObject({ toSend: 3, done: 3, created: 3, emailed: 3, failed: 0, skipped: 1 });
    expect(first.body.rows.data).toHaveLength(2);
    expect(first.body.rows.data[0]).toMatchObject({
      rowNumber: 1,
      microsoftTenantId: a.microsoftTenantId,
      status: 'created',
      attestationState: 'awaiting_acceptance',
    });
    expect(first.body.rows.data[0].acceptanceLink).toMatch(/^http/);
    expect(first.body.rows.next).toMatch(new RegExp(`^/api/v1/attestation-batches/${batch.id}\\?limit=\\d+&cursor=`));
    const second = await write.get(first.body.rows.next).expect(200);
    expect(second.body.rows.data.map((r: { rowNumber: number }) => r.rowNumber)).toEqual([3, 4]);
    expect(second.body.rows.data[1]).toMatchObject({
      status: 'skipped',
      error: expect.stringMatching(/^Already accepted: /),
    });
    expect(second.body.rows.next).toBeNull();

    const [event] = await auditEvents(testApp, 'attestation_batch.confirmed');
    expect(event).toMatchObject({ actor_type: 'token', actor_label: expect.stringContaining('Provisioning') });
    expect(JSON.parse(event.data)).toMatchObject({ source: 'api', rows: 4, toCreate: 3, skipped: 1 });
    expect(JSON.parse(event.data).fileSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should refuse a batch with a wrong row whole, naming each row and field in the form words', async () => {
    const [, , , d, e] = tenants;
    const before = await count('attestation_batches');
    const refused = await write
      .post('/api/v1/attestation-batches', {
        rows: [
          row(d, 1),
          { ...row(e, 2), signatoryEmail: 'not an email', country: 'XX' },
          row(d, 3),
          { ...row({ microsoftTenantId: '00000000-0000-0000-0000-000000000000' }, 4) },
        ],
      })
      .expect(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      type: '/api/v1/problems/validation-failed',
      errors: {
        'rows[1].signatoryEmail': 'Enter a valid email address, like name@example.com',
        'rows[1].country': 'Choose a country from the list',
        'rows[2].microsoftTenantId': duplicateOf(1),
        'rows[3].microsoftTenantId': UNKNOWN_TENANT,
      },
    });
    expect(await count('attestation_batches')).toBe(before);

    const unknownField = await write.post('/api/v1/attestation-batches', {
      rows: [{ ...row(d, 1), autoFinalise: true }],
    });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.errors).toEqual({
      'rows[0].autoFinalise': 'This field is not known: check its name against the API reference.',
    });
    await write.post('/api/v1/attestation-batches', { rows: [] }).expect(422);
    await write.post('/api/v1/attestation-batches', {}).expect(422);
    expect(await count('attestation_batches')).toBe(before);
  });

  it("should answer another broker's batch with 404, and a read token may read but not create", async () => {
    await createUser(testApp, brokerId, 'op@contoso.test', 'operator');
    const mine = await draftBatch(testApp, 'op@contoso.test', [rowFor(tenants[4], 2)]);
    const other = await createBroker(testApp, 'Other Partner');
    const theirs = apiClient(testApp, await createApiToken(testApp, other));
    const notFound = await theirs.get(`/api/v1/attestation-batches/${mine.id}`).expect(404);
    expect(notFound.body.type).toBe('/api/v1/problems/not-found');
    await theirs.get('/api/v1/attestation-batches/abc').expect(404);

    const reader = apiClient(testApp, await createApiToken(testApp, brokerId, { scope: 'read' }));
    await reader.get(`/api/v1/attestation-batches/${mine.id}`).expect(200);
    await reader.post('/api/v1/attestation-batches', { rows: [row(tenants[4], 1)] }).expect(403);
  });
});
