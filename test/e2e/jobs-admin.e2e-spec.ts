import type TestAgent from 'supertest/lib/agent';
import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { JobRegistry } from '../../src/jobs/job-registry';
import { createUser, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { FAST_JOBS_ENV, waitForJob } from '../support/jobs';
import { gate } from '../support/sandbox';
import { brokerIdOf, createBroker } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Background work page', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;
  let sql: SqlService;
  let queue: JobQueue;
  const enqueue = (type: string, options: Parameters<JobQueue['enqueue']>[3]) =>
    sql.transaction((tx) => queue.enqueue(tx, type, {}, options));

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true, env: { ...FAST_JOBS_ENV, SYNC_INTERVAL_MINUTES: '0' } });
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    sql = testApp.app.get(SqlService);
    queue = testApp.app.get(JobQueue);
  });
  afterAll(() => testApp.close());

  it('should be linked for admins only, and refused to operators', async () => {
    const home = await admin.get('/mca');
    expect(home.text).toContain('href="/admin/jobs"');
    await createUser(testApp, brokerId, 'olga@contoso.test', 'operator');
    const operator = (await signIn(testApp, 'olga@contoso.test')).agent;
    expect((await operator.get('/mca')).text).not.toContain('href="/admin/jobs"');
    expect((await operator.get('/admin/jobs')).status).toBe(403);
  });

  it("should list the broker's running, retrying and dead jobs with their errors, not another broker's", async () => {
    const other = await createBroker(testApp, 'Fabrikam');
    const registry = testApp.app.get(JobRegistry);
    const held = gate();
    registry.register({
      type: 'test.report',
      parse: (payload) => payload as Record<string, never>,
      handle: async (_payload, ctx) => {
        await ctx.progress(2, 5);
        await held.held;
      },
    });
    registry.register({
      type: 'test.broken',
      parse: (payload) => payload as Record<string, never>,
      handle: () => Promise.reject(new Error('Partner Center answered 503 <Service Unavailable>')),
    });
    const running = (await enqueue('test.report', { brokerId }))!;
    const dead = (await enqueue('test.broken', { brokerId, maxAttempts: 1 }))!;
    const retrying = (await enqueue('test.broken', { brokerId: null, maxAttempts: 50 }))!;
    const othersDead = (await enqueue('test.broken', { brokerId: other, maxAttempts: 1 }))!;
    await waitForJob(testApp, dead, ['dead']);
    await waitForJob(testApp, othersDead, ['dead']);
    await waitForJob(testApp, running, ['running']);
    // Hold the retrying one still, far from its next attempt.
    await sql.transaction((tx) =>
      tx.run(
        `UPDATE jobs SET state = 'queued', attempts = 2, last_error = 'SMTP server down', run_at = ${tx.dialect.placeholder(1)} WHERE id = ${tx.dialect.placeholder(2)}`,
        [tx.dialect.encodeTimestamp(new Date(Date.now() + 3_600_000)), retrying],
      ),
    );
    await eventuallyProgress(running);

    const page = await admin.get('/admin/jobs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Background work</h1>');
    expect(page.text).toContain('hx-trigger="every 2s"');
    expect(page.text).toContain('<a href="/admin/jobs" role="button" class="secondary outline">Reload</a>');
    const section = (heading: string) => page.text.split(`<h2>${heading}</h2>`)[1]?.split('<h2>')[0] ?? '';
    expect(section('Running')).toContain(`<td data-label="Job">${running}</td>`);
    expect(section('Running')).toContain('2 of 5');
    expect(section('Failed, to be retried')).toContain(`<td data-label="Job">${retrying}</td>`);
    expect(section('Failed, to be retried')).toContain('SMTP server down');
    expect(section('Dead')).toContain(`<td data-label="Job">${dead}</td>`);
    expect(section('Dead')).toContain('Partner Center answered 503 &lt;Service Unavailable&gt;');
    expect(page.text).not.toContain(`<td data-label="Job">${othersDead}</td>`);

    const polled = await admin.get('/admin/jobs').set('HX-Request', 'true');
    expect(polled.text).not.toContain('<html');
    expect(polled.text).toContain('id="jobs-list"');
    held.open();
    await waitForJob(testApp, running, ['succeeded']);
    await queue.cancel(retrying);
    const idle = await admin.get('/admin/jobs').set('HX-Request', 'true');
    expect(idle.text).not.toContain('hx-trigger');
  });

  it("should retry a dead job of the admin's broker, and refuse another broker's or one that is not dead", async () => {
    const other = await createBroker(testApp, 'Northwind');
    let fixed = false;
    testApp.app.get(JobRegistry).register({
      type: 'test.fixable',
      parse: (payload) => payload as Record<string, never>,
      handle: () => (fixed ? Promise.resolve() : Promise.reject(new Error('not yet'))),
    });
    const mine = (await enqueue('test.fixable', { brokerId, maxAttempts: 1 }))!;
    const theirs = (await enqueue('test.fixable', { brokerId: other, maxAttempts: 1 }))!;
    await waitForJob(testApp, mine, ['dead']);
    await waitForJob(testApp, theirs, ['dead']);
    fixed = true;

    const refused = await postForm(admin, '/admin/jobs', `/admin/jobs/${theirs}/retry`, {});
    expect(refused.status).toBe(303);
    expect((await admin.get('/admin/jobs')).text).toContain(`Job ${theirs} is not a dead job of yours`);
    expect(await queue.get(theirs)).toMatchObject({ state: 'dead' });

    const noToken = await admin.post(`/admin/jobs/${mine}/retry`).type('form').send({});
    expect(noToken.status).toBe(403);
    expect(await queue.get(mine)).toMatchObject({ state: 'dead' });

    const retried = await postForm(admin, '/admin/jobs', `/admin/jobs/${mine}/retry`, {});
    expect(retried.status).toBe(303);
    expect(retried.headers.location).toBe('/admin/jobs');
    expect(await waitForJob(testApp, mine, ['succeeded'])).toMatchObject({ attempts: 1 });
    expect((await admin.get('/admin/jobs')).text).toContain(`Job ${mine} (test.fixable) will run again.`);
    expect((await postForm(admin, '/admin/jobs', '/admin/jobs/abc/retry', {})).status).toBe(400);
  });

  async function eventuallyProgress(jobId: number) {
    for (;;) {
      const job = await queue.get(jobId);
      if (job?.progressTotal === 5) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
});
