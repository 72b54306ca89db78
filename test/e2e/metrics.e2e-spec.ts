import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { attestationRows, createAttestation, syncTenants } from '../support/attestations';
import { postForm, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { createTestApp, type TestApp } from '../support/test-app';

const TOKEN = 'metrics-token-0123456789';

// One sample of a series: its value for the labels given (all of them must match), or undefined.
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('Metrics', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  const scrape = async () => (await request(testApp.server).get('/metrics').expect(200)).text;

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true, env: { ...FAST_JOBS_ENV, METRICS_TOKEN: TOKEN } });
    admin = (await setUpFirstAdmin(testApp)).agent;
  });
  afterAll(() => testApp.close());

  it('should answer the machine itself and a holder of the token, and refuse a request that came through a proxy', async () => {
    const own = await request(testApp.server).get('/metrics');
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const proxied = await request(testApp.server).get('/metrics').set('X-Forwarded-For', '203.0.113.7');
    expect(proxied.status).toBe(403);
    const wrong = await request(testApp.server)
      .get('/metrics')
      .set('X-Forwarded-For', '203.0.113.7')
      .set('Authorization', 'Bearer not-the-token-at-all');
    expect(wrong.status).toBe(403);
    const right = await request(testApp.server)
      .get('/metrics')
      .set('X-Forwarded-For', '203.0.113.7')
      .set('Authorization', `Bearer ${TOKEN}`);
    expect(right.status).toBe(200);
  });

  it('should count requests by route pattern and status, never by path', async () => {
    await admin.get('/mca').expect(200);
    await admin.get('/tenants/999999/acceptance').expect(404);
    await admin.get('/no-such-page').expect(404);
    const text = await scrape();
    expect(sample(text, 'http_request_duration_seconds_count', { route: '/mca', status: '200' })).toBeGreaterThan(0);
    expect(
      sample(text, 'http_request_duration_seconds_count', { route: '/tenants/:id/acceptance', status: '404' }),
    ).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toMatch(/route="[^"]*999999/);
  });

  it('should report syncs, jobs, attestations, the outbox and refused sign-ins as they happen', async () => {
    const tenants = await syncTenants(testApp, admin);
    const tenant = tenants.find((t) => t.status === 'none')!;
    await createAttestation(admin, tenant.id, { emailLink: 'yes', autoFinalize: 'no' });
    await postForm(request.agent(testApp.server), '/login', '/login', {
      email: 'ada@contoso.test',
      password: 'not the password',
    });
    const text = await eventually(async () => {
      const scraped = await scrape();
      return sample(scraped, 'mca_jobs_finished_total', { kind: 'mail.send', result: 'succeeded' })
        ? scraped
        : undefined;
    });
    expect(sample(text, 'mca_sync_duration_seconds_count', { result: 'succeeded' })).toBe(1);
    expect(sample(text, 'mca_jobs_finished_total', { kind: 'tenant.sync', result: 'succeeded' })).toBe(1);
    const brokerId = String((await attestationRows(testApp))[0].broker_id);
    expect(sample(text, 'mca_attestations', { broker: brokerId, state: 'awaiting_acceptance' })).toBe(1);
    expect(sample(text, 'mca_outbox_backlog')).toBe(0);
    expect(sample(text, 'mca_sign_in_failures_total', { method: 'password' })).toBe(1);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    // PostgreSQL's pool; SQLite has none to report.
    const pooled = testApp.app.get(SqlService).dialect.name === 'postgres';
    const open = sample(text, 'mca_db_pool_connections', { state: 'open' });
    if (pooled) expect(open).toBeGreaterThan(0);
    else expect(open).toBeUndefined();
  });

  it("should report the event loop's delay as a histogram with buckets at 50 and 100 ms, and the longest", async () => {
    const text = await scrape();
    expect(sample(text, 'mca_event_loop_delay_seconds_count')).toBeGreaterThan(0);
    for (const le of ['0.05', '0.1', '+Inf'])
      expect(sample(text, 'mca_event_loop_delay_seconds_bucket', { le })).toBeGreaterThan(0);
    expect(sample(text, 'mca_event_loop_delay_max_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('should say how many jobs wait and how long the oldest due one has waited', async () => {
    // An instance without a worker: what is queued stays queued.
    const idle = await createTestApp({ env: { JOB_WORKER: 'off' } });
    try {
      await idle.app
        .get(SqlService)
        .transaction((tx) =>
          idle.app.get(JobQueue).enqueue(tx, 'test.waiting', {}, { runAt: new Date(Date.now() - 60_000) }),
        );
      const text = (await request(idle.server).get('/metrics').expect(200)).text;
      expect(sample(text, 'mca_jobs_queued', { kind: 'test.waiting' })).toBe(1);
      expect(sample(text, 'mca_jobs_oldest_due_seconds', { kind: 'test.waiting' })).toBeGreaterThanOrEqual(59);
    } finally {
      await idle.close();
    }
  });
});
