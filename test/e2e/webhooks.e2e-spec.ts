import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { POLL_JOB } from '../../src/attestations/attestation-jobs';
import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { WebhookEvents } from '../../src/webhooks/webhook-events.service';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { createAttestation, sandboxOf, syncTenants } from '../support/attestations';
import { auditEvents } from '../support/audit';
import { createUser, csrfTokenFrom, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { SyncService } from '../../src/sync/sync.service';
import { eventually } from '../support/jobs';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  ALL_EVENTS,
  endpointWithSecret,
  registerEndpoint,
  verified,
  WEBHOOK_TEST_ENV,
  WebhookReceiver,
} from '../support/webhook-receiver';

const press = async (agent: TestAgent, page: string, action: string) => {
  const html = (await agent.get(page)).text;
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfTokenFrom(html) });
};

describe('Webhooks', () => {
  let testApp: TestApp;
  let receiver: WebhookReceiver;
  let admin: TestAgent;
  let tenants: Tenant[];
  let next = 0;
  const freshTenant = () => tenants.filter((t) => t.status === 'none')[next++];
  const query = <T>(sql: string) => testApp.app.get(DataSource).query<T[]>(sql);

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    testApp = await createTestApp({ listen: true, env: WEBHOOK_TEST_ENV });
    admin = (await setUpFirstAdmin(testApp)).agent;
    tenants = await syncTenants(testApp, admin);
  });
  afterAll(async () => {
    await testApp.close();
    await receiver.stop();
  });

  it('should register an endpoint from the form, show its secret once, and audit every change', async () => {
    const created = await registerEndpoint(admin, {
      url: `${receiver.url}/page`,
      description: 'Billing system',
      events: ['attestation.finalized', 'report.ready'],
    });
    expect(created.status).toBe(303);
    const page = await admin.get(created.headers.location as string);
    expect(page.text).toContain('Billing system');
    expect(page.text).toMatch(/id="secret-value">whsec_/);
    const again = await admin.get(created.headers.location as string);
    expect(again.text).not.toContain('whsec_');

    const list = await admin.get('/webhooks');
    expect(list.text).toContain(`${receiver.url}/page`);
    expect(list.text).toContain('href="/webhooks"');

    const id = Number((created.headers.location as string).split('/').pop());
    const rotated = await press(admin, `/webhooks/${id}`, `/webhooks/${id}/rotate-secret`);
    expect(rotated.status).toBe(303);
    expect((await admin.get(`/webhooks/${id}`)).text).toMatch(/id="secret-value">whsec_/);
    const stored = await query<{ secret_sealed: string }>(
      `SELECT secret_sealed FROM webhook_endpoints WHERE id = ${id}`,
    );
    expect(stored[0].secret_sealed).not.toContain('whsec_');

    const updated = await admin
      .post(`/webhooks/${id}`)
      .type('form')
      .send(
        new URLSearchParams({
          _csrf: csrfTokenFrom((await admin.get(`/webhooks/${id}`)).text),
          description: 'Billing',
          events: 'sync.finished',
        }).toString(),
      );
    expect(updated.status).toBe(303);
    const [row] = await query<{ events: string; enabled: boolean | number }>(
      `SELECT events, enabled FROM webhook_endpoints WHERE id = ${id}`,
    );
    expect(row.events).toBe('sync.finished');
    expect(Boolean(row.enabled)).toBe(false);

    const deleted = await press(admin, `/webhooks/${id}`, `/webhooks/${id}/delete`);
    expect(deleted.status).toBe(303);
    expect((await admin.get(`/webhooks/${id}`)).status).toBe(404);
    const actions = (await auditEvents(testApp)).map((e) => e.action).filter((a) => a.startsWith('webhook.'));
    expect(actions).toEqual(
      expect.arrayContaining([
        'webhook.endpoint_created',
        'webhook.secret_rotated',
        'webhook.endpoint_updated',
        'webhook.endpoint_deleted',
      ]),
    );
  });

  it.each([
    ['a URL that is not http(s)', { url: 'ftp://files.example.com/hook' }, 'url', 'Enter an http:// or https:// URL'],
    ['a URL too long', { url: `https://example.com/${'a'.repeat(2001)}` }, 'url', 'at most 2000 characters'],
    ['a host that does not resolve', { url: 'https://no-such-host.invalid/hook' }, 'url', 'could not be found'],
    ['not a URL', { url: 'example.com/hook' }, 'url', 'Enter a full URL'],
    ['the app itself', { url: 'SELF/api/v1/hook' }, 'url', 'MCA Manager itself'],
    ['no event chosen', { url: 'RECEIVER/hook', events: [] }, 'events', 'Choose at least one event'],
    ['an unknown event', { url: 'RECEIVER/hook', events: ['tenant.deleted'] }, 'events', 'Not an event this app sends'],
  ])('should refuse %s with a message next to the field', async (_, fields, field, message) => {
    const url = fields.url.replace('SELF', testApp.baseUrl).replace('RECEIVER', receiver.url);
    const before = await query<{ n: number }>('SELECT count(*) AS n FROM webhook_endpoints');
    const refused = await registerEndpoint(admin, { events: ['sync.finished'], ...fields, url });
    expect(refused.status).toBe(422);
    const error = new RegExp(`<small class="field-error" id="${field}-error">([^<]*)</small>`).exec(refused.text)?.[1];
    expect(error).toContain(message);
    expect(refused.text).toContain(`aria-invalid="true"`);
    expect(await query<{ n: number }>('SELECT count(*) AS n FROM webhook_endpoints')).toEqual(before);
  });

  it('should send the events of a real attestation flow, each signed as Standard Webhooks verifies', async () => {
    const { id, secret } = await endpointWithSecret(
      admin,
      `${receiver.url}/flow`,
      ALL_EVENTS.filter((type) => type.startsWith('attestation.') || type.startsWith('tenant.')),
    );
    const tenant = freshTenant();
    expect((await createAttestation(admin, tenant.id, { autoFinalize: 'yes' })).status).toBe(303);
    const [attestation] = await query<{ id: number; pc_attestation_id: string; link: string }>(
      `SELECT id, pc_attestation_id, link FROM attestations WHERE tenant_id = ${tenant.id}`,
    );
    // The customer accepts in the Partner Center sandbox; the poll learns of it and auto-finalize runs.
    sandboxOf(testApp).acceptAttestation(attestation.pc_attestation_id);
    await testApp.app.get(SqlService).transaction(async (tx) => {
      await tx.query`UPDATE attestations SET next_poll_at = NULL`;
      await testApp.app.get(JobQueue).enqueue(tx, POLL_JOB, {});
    });
    const messages = await eventually(() => {
      const got = receiver.to('/flow').map((r) => verified(secret, r));
      return got.some((m) => m.type === 'attestation.finalized') && got.length >= 5 ? got : undefined;
    });
    // Sent in parallel: a receiver orders them by their data, not by arrival.
    expect(messages.map((m) => m.type).sort()).toEqual([
      'attestation.accepted',
      'attestation.created',
      'attestation.finalized',
      'tenant.status_changed',
      'tenant.status_changed',
    ]);
    const finalized = messages.find((m) => m.type === 'attestation.finalized')!;
    expect(finalized.data).toMatchObject({
      id: attestation.id,
      tenantId: tenant.id,
      state: 'finalized',
      url: `${testApp.baseUrl}/api/v1/attestations/${attestation.id}`,
      tenantUrl: `${testApp.baseUrl}/api/v1/tenants/${tenant.id}`,
    });
    expect(Date.parse(finalized.timestamp)).not.toBeNaN();
    const statuses = messages
      .filter((m) => m.type === 'tenant.status_changed')
      .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp))
      .map((m) => m.data);
    expect(statuses).toEqual([
      expect.objectContaining({ id: tenant.id, status: 'pending', previousStatus: 'none' }),
      expect.objectContaining({ id: tenant.id, status: 'attested', previousStatus: 'pending' }),
    ]);
    // A tampered body fails the reference verification.
    const first = receiver.to('/flow')[0];
    expect(() =>
      verified(secret, { ...first, body: first.body.replace('"data":{', '"data":{"forged":true,') }),
    ).toThrow();
    expect(new Set(receiver.to('/flow').map((r) => r.headers['webhook-id'])).size).toBe(5);

    const log = await admin.get(`/webhooks/${id}`);
    expect(log.text).toContain('attestation.finalized');
    expect(log.text).toContain('HTTP 200');
  });

  it('should announce a finished sync and a ready report, signed', async () => {
    const { secret } = await endpointWithSecret(admin, `${receiver.url}/ops`, ['sync.finished', 'report.ready']);
    expect((await postForm(admin, '/mca', '/sync', {})).status).toBe(303);
    await testApp.app.get(SyncService).whenIdle();
    expect(
      (await postForm(admin, '/reports', '/reports', { email: 'ada@contoso.test', format: 'csv', scope: 'all' }))
        .status,
    ).toBe(303);
    const messages = await eventually(() => {
      const got = receiver.to('/ops').map((r) => verified(secret, r));
      return got.length >= 2 ? got : undefined;
    });
    const [report] = await query<{ id: number }>('SELECT id FROM report_requests ORDER BY id DESC');
    expect(messages.find((m) => m.type === 'sync.finished')?.data).toMatchObject({
      status: 'succeeded',
      trigger: 'manual',
    });
    expect(messages.find((m) => m.type === 'report.ready')?.data).toMatchObject({
      id: report.id,
      format: 'csv',
      url: `${testApp.baseUrl}/api/v1/reports/${report.id}`,
    });
  });

  it('should retry after a 500 with the same webhook-id, and keep every attempt in the log', async () => {
    receiver.on('/flaky', { status: 500, body: 'database down' }, { status: 204 });
    const { id, secret } = await endpointWithSecret(admin, `${receiver.url}/flaky`);
    expect((await press(admin, `/webhooks/${id}`, `/webhooks/${id}/test`)).status).toBe(303);
    const [first, second] = await eventually(() =>
      receiver.to('/flaky').length >= 2 ? receiver.to('/flaky') : undefined,
    );
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.at - first.at).toBeGreaterThanOrEqual(4500);
    expect(verified(secret, second).type).toBe('webhook.test');
    const attempts = await eventually(async () => {
      const rows = await query<{ attempt: number; status_code: number; response_excerpt: string | null }>(
        `SELECT attempt, status_code, response_excerpt FROM webhook_attempts WHERE endpoint_id = ${id} ORDER BY id`,
      );
      return rows.length === 2 ? rows : undefined;
    });
    expect(attempts).toEqual([
      { attempt: 1, status_code: 500, response_excerpt: 'database down' },
      { attempt: 2, status_code: 204, response_excerpt: null },
    ]);
    const [message] = await query<{ state: string }>(`SELECT state FROM webhook_messages WHERE endpoint_id = ${id}`);
    expect(message.state).toBe('delivered');
  }, 20_000);

  it('should not follow a 301, and time out a receiver that never answers', async () => {
    receiver.on('/moved', { status: 301, headers: { location: `${receiver.url}/target` } });
    receiver.on('/never', 'never');
    const moved = await endpointWithSecret(admin, `${receiver.url}/moved`);
    const never = await endpointWithSecret(admin, `${receiver.url}/never`);
    await press(admin, `/webhooks/${moved.id}`, `/webhooks/${moved.id}/test`);
    await press(admin, `/webhooks/${never.id}`, `/webhooks/${never.id}/test`);
    const attemptOf = (endpointId: number) =>
      eventually(async () => {
        const [row] = await query<{ status_code: number | null; error: string | null; duration_ms: number }>(
          `SELECT status_code, error, duration_ms FROM webhook_attempts WHERE endpoint_id = ${endpointId}`,
        );
        return row;
      });
    expect(await attemptOf(moved.id)).toMatchObject({ status_code: 301, error: null });
    expect(receiver.to('/target')).toHaveLength(0);
    const timedOut = await attemptOf(never.id);
    expect(timedOut).toMatchObject({ status_code: null });
    expect(timedOut.error).toContain('timed out');
    expect(timedOut.duration_ms).toBeGreaterThanOrEqual(350);
    const [pending] = await query<{ state: string; next_attempt_at: unknown }>(
      `SELECT state, next_attempt_at FROM webhook_messages WHERE endpoint_id = ${moved.id}`,
    );
    expect(pending.state).toBe('pending');
    expect(pending.next_attempt_at).not.toBeNull();
    const page = await admin.get(`/webhooks/${moved.id}`);
    expect(page.text).toContain('HTTP 301');
    expect(page.text).toContain('Redirect not followed');
  });

  it('should redeliver a message with the same webhook-id, from the log, without JavaScript', async () => {
    const { id, secret } = await endpointWithSecret(admin, `${receiver.url}/again`);
    await press(admin, `/webhooks/${id}`, `/webhooks/${id}/test`);
    await eventually(async () => {
      const [row] = await query<{ state: string }>(`SELECT state FROM webhook_messages WHERE endpoint_id = ${id}`);
      return row?.state === 'delivered' ? row : undefined;
    });
    const page = await admin.get(`/webhooks/${id}`);
    const action = /action="(\/webhooks\/\d+\/messages\/\d+\/redeliver)"/.exec(page.text)?.[1] as string;
    const redelivered = await admin
      .post(action)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text) });
    expect(redelivered.status).toBe(303);
    const [first, second] = await eventually(() =>
      receiver.to('/again').length >= 2 ? receiver.to('/again') : undefined,
    );
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(verified(secret, second)).toEqual(verified(secret, first));
    expect((await auditEvents(testApp, 'webhook.redelivered')).length).toBeGreaterThan(0);
  });

  it('should refuse a test event to a disabled endpoint and a redelivery of a message still being tried', async () => {
    receiver.on('/busy', { status: 500 });
    const busy = await endpointWithSecret(admin, `${receiver.url}/busy`);
    await press(admin, `/webhooks/${busy.id}`, `/webhooks/${busy.id}/test`);
    await eventually(() => (receiver.to('/busy').length > 0 ? true : undefined));
    const page = await admin.get(`/webhooks/${busy.id}`);
    await eventually(async () =>
      (await admin.get(`/webhooks/${busy.id}`)).text.includes('Retrying') ? true : undefined,
    );
    const [message] = await query<{ id: number }>(`SELECT id FROM webhook_messages WHERE endpoint_id = ${busy.id}`);
    const refused = await admin
      .post(`/webhooks/${busy.id}/messages/${message.id}/redeliver`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text) });
    expect(refused.status).toBe(303);
    expect((await admin.get(`/webhooks/${busy.id}`)).text).toContain('is being delivered already');

    const off = await registerEndpoint(admin, {
      url: `${receiver.url}/off`,
      events: ['sync.finished'],
      enabled: false,
    });
    const offId = Number((off.headers.location as string).split('/').pop());
    await press(admin, `/webhooks/${offId}`, `/webhooks/${offId}/test`);
    expect((await admin.get(`/webhooks/${offId}`)).text).toContain('This endpoint is disabled');
    expect(await query(`SELECT id FROM webhook_messages WHERE endpoint_id = ${offId}`)).toHaveLength(0);
  });

  it('should send nothing when the cause rolls back', async () => {
    const { id } = await endpointWithSecret(admin, `${receiver.url}/rolled-back`, ['sync.finished']);
    const [broker] = await query<{ id: number }>('SELECT id FROM brokers');
    const before = await query<{ n: number }>('SELECT count(*) AS n FROM webhook_messages');
    await expect(
      testApp.app.get(SqlService).transaction(async (tx) => {
        const queued = await testApp.app
          .get(WebhookEvents)
          .emit(tx, { brokerId: broker.id, type: 'sync.finished', data: { id: 1, status: 'succeeded' } });
        expect(queued).toBeGreaterThanOrEqual(1);
        throw new Error('the cause failed');
      }),
    ).rejects.toThrow('the cause failed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.to('/rolled-back')).toHaveLength(0);
    expect(await query(`SELECT id FROM webhook_messages WHERE endpoint_id = ${id}`)).toHaveLength(0);
    expect(await query<{ n: number }>('SELECT count(*) AS n FROM webhook_messages')).toEqual(before);
  });

  it('should let only admins in', async () => {
    const [broker] = await query<{ id: number }>('SELECT id FROM brokers');
    await createUser(testApp, broker.id, 'otto@contoso.test', 'operator');
    const operator = (await signIn(testApp, 'otto@contoso.test')).agent;
    expect((await operator.get('/webhooks')).status).toBe(403);
    expect((await request(testApp.server).get('/webhooks')).status).toBe(303);
  });
});
