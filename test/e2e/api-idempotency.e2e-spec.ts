import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import { IdempotencyPruneHandler } from '../../src/api/idempotency-prune.handler';
import { SqlService } from '../../src/database/sql.service';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { createApiToken } from '../support/api';
import { acceptAsCustomer, attestationRows, sandboxOf, syncTenants } from '../support/attestations';
import { auditEvents } from '../support/audit';
import { setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { gate } from '../support/sandbox';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const SIGNATORY = {
  signatoryFirstName: 'Grace',
  signatoryLastName: 'Hopper',
  signatoryEmail: 'grace@fabrikam.test',
  companyName: 'Fabrikam, Inc.',
  country: 'US',
  language: 'en-US',
};
const HOUR = 60 * 60_000;
const CREATE_PATH = '/v1/attestations/enhanced';

describe('API: Idempotency-Key', () => {
  let testApp: TestApp;
  let smtp: TestSmtp;
  let tenants: Tenant[];
  let token: string;
  let next = 0;
  const clock = new TestClock();
  const freshTenant = () => tenants.filter((t) => t.status === 'none')[next++];
  const post = (path: string, key: string | null, body?: object, as = token) => {
    const req = request(testApp.server).post(path).set('Authorization', `Bearer ${as}`);
    if (key !== null) req.set('Idempotency-Key', key);
    return body === undefined ? req : req.send(body);
  };
  const createFor = (tenant: Tenant, key: string | null, fields: object = {}, as = token) =>
    post('/api/v1/attestations', key, { tenantId: tenant.id, ...SIGNATORY, ...fields }, as);
  const rowsOf = async (tenant: Tenant) =>
    (await attestationRows(testApp)).filter((row: { tenant_id: number }) => Number(row.tenant_id) === tenant.id);
  const createdEvents = async (tenant: Tenant) =>
    (await auditEvents(testApp, 'attestation.created')).filter((e) => e.data.includes(`"tenantId":${tenant.id}`));
  const createCalls = () =>
    sandboxOf(testApp).requests.filter((r) => r.method === 'POST' && r.path === CREATE_PATH).length;
  const keyRows = () => testApp.app.get(SqlService).query<{ state: string }>`SELECT state FROM api_idempotency_keys`;

  beforeAll(async () => {
    smtp = await startSmtp();
    testApp = await createTestApp({
      clock,
      listen: true,
      env: {
        ...FAST_JOBS_ENV,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Contoso Cloud <partners@contoso.test>',
        PARTNER_CENTER_RETRY_BASE_MS: '5',
        PARTNER_CENTER_RETRY_MAX_WAIT_MS: '20',
      },
    });
    const { agent } = await setUpFirstAdmin(testApp);
    tenants = await syncTenants(testApp, agent);
    token = await createApiToken(testApp, 1);
  });
  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });
  afterEach(() => sandboxOf(testApp).faults.clear());

  it('answers a retry with the first answer and its status, marked as a replay, doing nothing twice', async () => {
    const tenant = freshTenant();
    const calls = createCalls();
    const first = await createFor(tenant, 'create-1').expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await createFor(tenant, 'create-1').expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['content-type']).toMatch(/^application\/json/);
    expect(retry.body).toEqual(first.body);
    // The same fields in another order are the same request.
    const reordered = await post('/api/v1/attestations', 'create-1', {
      ...SIGNATORY,
      tenantId: tenant.id,
    }).expect(201);
    expect(reordered.body.id).toBe(first.body.id);
    expect(await rowsOf(tenant)).toHaveLength(1);
    expect(await createdEvents(tenant)).toHaveLength(1);
    expect(createCalls()).toBe(calls + 1);

    // A refusal is an answer too: the retry gets it again, even after the state changed.
    const early = await post(`/api/v1/attestations/${first.body.id}/finalize`, 'finalize-early').expect(409);
    await acceptAsCustomer(testApp, first.body.acceptanceLink);
    const replayedRefusal = await post(`/api/v1/attestations/${first.body.id}/finalize`, 'finalize-early').expect(409);
    expect(replayedRefusal.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(replayedRefusal.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(replayedRefusal.text)).toEqual(JSON.parse(early.text));

    // A request without a key is not affected (the read learns the acceptance first, as the page does).
    await request(testApp.server)
      .get(`/api/v1/attestations/${first.body.id}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    await post(`/api/v1/attestations/${first.body.id}/finalize`, null).expect(202);
  });

  it('runs five parallel requests with one key once: one attestation, one audit event, one email', async () => {
    const tenant = freshTenant();
    const calls = createCalls();
    const held = gate();
    sandboxOf(testApp).faults.add({ method: 'POST', path: CREATE_PATH, holdUntil: held.held });
    const answers = Array.from({ length: 5 }, () =>
      createFor(tenant, 'parallel-1', { emailLink: true, signatoryEmail: 'parallel@fabrikam.test' }).then((r) => r),
    );
    await eventually(() => (sandboxOf(testApp).faults.pending === 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    held.open();
    const responses = await Promise.all(answers);
    const created = responses.filter((r) => r.status === 201);
    const busy = responses.filter((r) => r.status === 409);
    expect(created.length + busy.length).toBe(5);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const response of busy) {
      expect(response.headers['retry-after']).toBe('1');
      expect(JSON.parse(response.text)).toMatchObject({
        type: '/api/v1/problems/conflict',
        detail: 'A request with this Idempotency-Key is still being processed: retry in a moment to get its answer.',
      });
    }
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    const late = await createFor(tenant, 'parallel-1', {
      emailLink: true,
      signatoryEmail: 'parallel@fabrikam.test',
    }).expect(201);
    expect(late.headers['idempotent-replayed']).toBe('true');
    expect(late.body.id).toBe(created[0].body.id);

    expect(await rowsOf(tenant)).toHaveLength(1);
    expect(await createdEvents(tenant)).toHaveLength(1);
    expect(createCalls()).toBe(calls + 1);
    const mailsTo = async () =>
      (await smtp.parsed()).filter((mail) => mail.to && 'text' in mail.to && mail.to.text.includes('parallel@'));
    await eventually(async () => ((await mailsTo()).length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await mailsTo()).toHaveLength(1);
  });

  it('refuses the same key with a different body (422), and keeps keys per token', async () => {
    const tenant = freshTenant();
    const first = await createFor(tenant, 'shared-key').expect(201);
    const other = freshTenant();
    const reused = await createFor(other, 'shared-key').expect(422);
    expect(JSON.parse(reused.text)).toMatchObject({
      type: '/api/v1/problems/idempotency-key-reused',
      status: 422,
      detail: 'This Idempotency-Key was already used with a different request: use a new key for a new request.',
    });
    await post(`/api/v1/attestations/${first.body.id}/cancel`, 'shared-key').expect(422);
    expect(await rowsOf(other)).toHaveLength(0);

    // Another token's key of the same name is its own: its request runs (and meets the open attestation).
    const second = await createApiToken(testApp, 1, { name: 'Billing' });
    const elsewhere = await createFor(tenant, 'shared-key', {}, second).expect(409);
    expect(elsewhere.headers['idempotent-replayed']).toBeUndefined();
    expect(await rowsOf(tenant)).toHaveLength(1);
  });

  it('does not store a 5xx answer: the retry runs again', async () => {
    const tenant = freshTenant();
    sandboxOf(testApp).faults.add({ method: 'POST', path: CREATE_PATH, status: 503, times: Infinity });
    const failed = await createFor(tenant, 'flaky-1').expect(502);
    expect(JSON.parse(failed.text).type).toBe('/api/v1/problems/upstream-unavailable');
    sandboxOf(testApp).faults.clear();
    const retried = await createFor(tenant, 'flaky-1').expect(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await rowsOf(tenant)).toHaveLength(1);
  });

  it('recovers a key whose first request died between its change and its stored answer, without doing it twice', async () => {
    const tenant = freshTenant();
    const calls = createCalls();
    const first = await createFor(tenant, 'died-1').expect(201);
    // As if the process had died after the attestation's transaction committed, before the answer was stored.
    const sql = testApp.app.get(SqlService);
    await sql.transaction(
      (tx) =>
        tx.query`UPDATE api_idempotency_keys SET state = ${'running'}, response_status = NULL, response_body = NULL
          WHERE idempotency_key = ${'died-1'}`,
    );
    const waiting = await createFor(tenant, 'died-1').expect(409);
    expect(waiting.headers['retry-after']).toBe('1');
    clock.advance(2 * 60_000 + 1);
    const rerun = await createFor(tenant, 'died-1').expect(201);
    expect(rerun.body.id).toBe(first.body.id);
    expect(await rowsOf(tenant)).toHaveLength(1);
    expect(await createdEvents(tenant)).toHaveLength(1);
    expect(createCalls()).toBe(calls + 1);
    clock.release();
  });

  it('forgets a key after 24 hours, and the recurring prune deletes it', async () => {
    const tenant = freshTenant();
    clock.set(new Date());
    const first = await createFor(tenant, 'day-1').expect(201);
    await post(`/api/v1/attestations/${first.body.id}/cancel`, null).expect(200);
    clock.advance(23 * HOUR);
    expect((await createFor(tenant, 'day-1').expect(201)).headers['idempotent-replayed']).toBe('true');
    clock.advance(HOUR);
    const again = await createFor(tenant, 'day-1').expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
    expect(await rowsOf(tenant)).toHaveLength(2);

    const before = (await keyRows()).length;
    clock.advance(HOUR);
    const pruned = await testApp.app.get(IdempotencyPruneHandler).prune(clock.now());
    expect(pruned).toBe(before - 1);
    expect(await keyRows()).toHaveLength(1);
    clock.release();
  });

  it('refuses a malformed key with 400 before doing anything', async () => {
    const tenant = freshTenant();
    for (const key of ['', 'has space', 'x'.repeat(256)]) {
      const response = await createFor(tenant, key).expect(400);
      expect(JSON.parse(response.text)).toMatchObject({
        type: '/api/v1/problems/bad-request',
        detail: 'The Idempotency-Key must be 1 to 255 printable ASCII characters without spaces, like a UUID.',
      });
    }
    expect(await rowsOf(tenant)).toHaveLength(0);
  });

  it('documents the header on every POST route and on no other', () => {
    const document = SwaggerModule.createDocument(testApp.app, new DocumentBuilder().build());
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({
          route: `${method.toUpperCase()} ${path}`,
          header: ((operation as { parameters?: { name: string; in: string }[] }).parameters ?? []).some(
            (parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key',
          ),
        })),
    );
    const attestationRoutes = operations.filter((o) => o.route.includes('/api/v1/attestations'));
    expect(attestationRoutes.length).toBeGreaterThanOrEqual(6);
    for (const operation of operations.filter((o) => o.route.includes('/api/v1/')))
      expect(operation).toEqual({ route: operation.route, header: operation.route.startsWith('POST ') });
  });
});
