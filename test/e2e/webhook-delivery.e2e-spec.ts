import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { SecretBox } from '../../src/common/secret-box';
import { newSigningSecret, secretContext } from '../../src/webhooks/webhook-secret';
import { runForBroker } from '../../src/common/request-context';
import { SqlService } from '../../src/database/sql.service';
import { RETRY_DELAYS_MS, MAX_DELIVERY_ATTEMPTS } from '../../src/webhooks/webhook-deliver.handler';
import { WebhookEndpoints } from '../../src/webhooks/webhook-endpoints.service';
import { WebhookEvents } from '../../src/webhooks/webhook-events.service';
import { WebhooksRepository } from '../../src/webhooks/webhooks.repository';
import { setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { createTestApp, type TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { registerEndpoint, WEBHOOK_TEST_ENV, WebhookReceiver } from '../support/webhook-receiver';

const brokerOf = async (testApp: TestApp) =>
  Number((await testApp.app.get(DataSource).query<{ id: number }[]>('SELECT id FROM brokers'))[0].id);

// Registered through the service, as the page does, for the broker (the tests below move the clock past any session).
const endpointFor = (testApp: TestApp, brokerId: number, url: string, events = ['sync.finished']) =>
  runForBroker(brokerId, () => testApp.app.get(WebhookEndpoints).create({ url, events, enabled: 'on' }));

describe('Webhook destinations on an installation that allows public addresses only', () => {
  let testApp: TestApp;
  let receiver: WebhookReceiver;
  let admin: TestAgent;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    testApp = await createTestApp({ listen: true, env: { ...FAST_JOBS_ENV, WEBHOOK_TIMEOUT_MS: '1000' } });
    admin = (await setUpFirstAdmin(testApp)).agent;
  });
  afterAll(async () => {
    await testApp.close();
    await receiver.stop();
  });

  it.each([
    ['loopback', () => `${receiver.url}/hook`, '127.0.0.1, a loopback address'],
    ['localhost', () => receiver.url.replace('127.0.0.1', 'localhost'), 'a loopback address'],
    ['IPv6 loopback', () => 'http://[::1]:8080/hook', 'a loopback address'],
    ['IPv4-mapped IPv6 loopback', () => 'http://[::ffff:127.0.0.1]:8080/hook', 'a loopback address'],
    ['a private address', () => 'http://10.1.2.3/hook', 'a private address'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data', 'a link-local address'],
    ['a unique-local IPv6 address', () => 'https://[fd00::1]/hook', 'a unique-local address'],
    ['the unspecified address', () => 'http://0.0.0.0:8080/hook', 'an unspecified address'],
    ['a multicast address', () => 'http://224.0.0.1/hook', 'a multicast address'],
  ])('should refuse %s at registration', async (_, url, reason) => {
    const refused = await registerEndpoint(admin, { url: url(), events: ['sync.finished'] });
    expect(refused.status).toBe(422);
    const message = /id="url-error">([^<]*)</.exec(refused.text)?.[1] ?? '';
    expect(message).toContain(reason);
    expect(message).toContain('public addresses only');
  });

  // As if the name resolved to a public address at registration and to loopback now (DNS rebinding).
  it('should refuse a delivery to a non-public address at connection time', async () => {
    const brokerId = await brokerOf(testApp);
    const sql = testApp.app.get(SqlService);
    const endpointId = await sql.transaction(async (tx) => {
      const repository = testApp.app.get(WebhooksRepository);
      const row = await repository.insertEndpoint(tx, {
        brokerId,
        url: `${receiver.url.replace('127.0.0.1', 'localhost')}/rebound`,
        description: '',
        events: 'sync.finished',
        enabled: true,
        secretSealed: '',
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      const secretSealed = testApp.app.get(SecretBox).seal(newSigningSecret(), secretContext(row.id));
      await repository.updateEndpoint(tx, row.id, { secretSealed });
      await testApp.app
        .get(WebhookEvents)
        .emit(tx, { brokerId, type: 'sync.finished', data: { id: 1, status: 'succeeded' } });
      return row.id;
    });
    const [attempt] = await eventually(async () => {
      const rows = await testApp.app
        .get(DataSource)
        .query<{ status_code: number | null; error: string }[]>(
          `SELECT status_code, error FROM webhook_attempts WHERE endpoint_id = ${endpointId}`,
        );
      return rows.length > 0 ? rows : undefined;
    });
    expect(attempt.status_code).toBeNull();
    expect(attempt.error).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(receiver.to('/rebound')).toHaveLength(0);
  });
});

describe('Webhook retries', () => {
  it('should follow the Standard Webhooks schedule for a day and then mark the message failed', async () => {
    const clock = new TestClock().set('2026-03-02T08:00:00Z');
    const receiver = await new WebhookReceiver().start();
    receiver.on('/down', { status: 503, body: 'maintenance' });
    const testApp = await createTestApp({ listen: true, clock, env: WEBHOOK_TEST_ENV });
    try {
      await setUpFirstAdmin(testApp);
      const brokerId = await brokerOf(testApp);
      const { endpoint } = await endpointFor(testApp, brokerId, `${receiver.url}/down`);
      await runForBroker(brokerId, () => testApp.app.get(WebhookEndpoints).sendTest(endpoint.id));
      const attempts = () =>
        testApp.app
          .get(DataSource)
          .query<{ started_at: string | Date }[]>(
            `SELECT started_at FROM webhook_attempts WHERE endpoint_id = ${endpoint.id} ORDER BY id`,
          );
      for (let n = 1; n <= MAX_DELIVERY_ATTEMPTS; n++) {
        await eventually(async () => ((await attempts()).length === n ? true : undefined));
        if (n < MAX_DELIVERY_ATTEMPTS) clock.advance(RETRY_DELAYS_MS[n - 1]);
      }
      const decode = (value: unknown) => testApp.app.get(SqlService).dialect.decodeTimestamp(value)!.getTime();
      const times = (await attempts()).map((a) => decode(a.started_at));
      expect(times.slice(1).map((t, i) => t - times[i])).toEqual(RETRY_DELAYS_MS);
      expect(times[times.length - 1] - times[0]).toBeGreaterThan(24 * 3600_000);
      const [message] = await testApp.app
        .get(DataSource)
        .query<{ state: string; attempts: number; next_attempt_at: unknown }[]>(
          `SELECT state, attempts, next_attempt_at FROM webhook_messages WHERE endpoint_id = ${endpoint.id}`,
        );
      expect(message).toMatchObject({ state: 'failed', attempts: MAX_DELIVERY_ATTEMPTS, next_attempt_at: null });
      expect(new Set(receiver.to('/down').map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(receiver.to('/down')).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    } finally {
      await testApp.close();
      await receiver.stop();
    }
  });
});

describe('Webhook deliveries across a worker restart', () => {
  it('should deliver every message once, and never again when a finished attempt’s job is taken over', async () => {
    const receiver = await new WebhookReceiver().start();
    receiver.on('/restart', { status: 200, delayMs: 30 });
    const first = await createTestApp({ listen: true, env: WEBHOOK_TEST_ENV });
    await setUpFirstAdmin(first);
    const brokerId = await brokerOf(first);
    const { endpoint } = await endpointFor(first, brokerId, `${receiver.url}/restart`);
    const total = 40;
    await first.app.get(SqlService).transaction(async (tx) => {
      for (let i = 1; i <= total; i++)
        await first.app.get(WebhookEvents).emit(tx, { brokerId, type: 'sync.finished', data: { id: i } });
    });
    await eventually(() => (receiver.to('/restart').length >= 5 ? true : undefined), 2);
    await first.close();
    // The first instance finished what it had started and left the rest to the next one.
    expect(receiver.to('/restart').length).toBeLessThan(total);
    const second = await createTestApp({ listen: true, dataDir: first.dataDir, env: WEBHOOK_TEST_ENV });
    try {
      const sql = second.app.get(SqlService);
      await eventually(async () => {
        const [row] = await sql.query<{ n: number | string }>`
          SELECT count(*) AS n FROM webhook_messages WHERE endpoint_id = ${endpoint.id} AND state = 'delivered'`;
        return Number(row.n) === total ? true : undefined;
      });
      const ids = receiver.to('/restart').map((r) => r.headers['webhook-id']);
      expect(ids).toHaveLength(total);
      expect(new Set(ids).size).toBe(total);

      // The job of a recorded attempt, as if its instance died before marking it done: taken over, it sends nothing.
      const [job] = await sql.query<{ id: number }>`
        SELECT id FROM jobs WHERE type = 'webhook.deliver' AND state = 'succeeded' ORDER BY id LIMIT 1`;
      const past = sql.dialect.encodeTimestamp(new Date(Date.now() - 1000));
      await sql.transaction((tx) =>
        tx.run(
          `UPDATE jobs SET state = 'running', locked_by = 'a-dead-instance', locked_until = ${tx.dialect.placeholder(1)} WHERE id = ${tx.dialect.placeholder(2)}`,
          [past, job.id],
        ),
      );
      await eventually(async () => {
        const [row] = await sql.query<{ state: string }>`SELECT state FROM jobs WHERE id = ${job.id}`;
        return row.state === 'succeeded' ? true : undefined;
      });
      expect(receiver.to('/restart')).toHaveLength(total);
    } finally {
      await second.close();
      await receiver.stop();
    }
  });
});
