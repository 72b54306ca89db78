import type TestAgent from 'supertest/lib/agent';
import { SqlService } from '../../src/database/sql.service';
import { NAMED_JOB_KINDS } from '../../src/jobs/job-kinds';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { JobRegistry } from '../../src/jobs/job-registry';
import { createUser, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { FAST_JOBS_ENV, waitForJob } from '../support/jobs';
import { gate } from '../support/sandbox';
import { brokerIdOf, createBroker } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

// A row of the jobs table, cell by cell (named by their data-label), as text.
function jobRow(html: string, id: number): Record<string, string> | undefined {
  const row = new RegExp(`<tr id="job-${id}"[\\s\\S]*?</tr>`).exec(html)?.[0];
  return row === undefined ? undefined : cells(row);
}

const cells = (row: string) =>
  Object.fromEntries(
    [...row.matchAll(/<td data-label="([^"]+)"[^>]*>([\s\S]*?)<\/td>/g)].map((m) => [
      m[1],
      m[2]
        .replace(/<form[\s\S]*?<\/form>/g, '')
        .replace(/<[^>]+>/g, '')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/\s+/g, ' ')
        .trim(),
    ]),
  );

const rows = (html: string) => [...html.matchAll(/<tr id="job-\d+"[\s\S]*?<\/tr>/g)].map((m) => cells(m[0]));

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

  it('should name every kind of job the app runs in words', () => {
    const unnamed = testApp.app
      .get(JobRegistry)
      .types()
      .filter((type) => !type.startsWith('test.') && !NAMED_JOB_KINDS.includes(type));
    expect(unnamed).toEqual([]);
  });

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
    registry.register(
      { type: 'test.report' },
      {
        parse: (payload) => payload as Record<string, never>,
        handle: async (_payload, ctx) => {
          await ctx.progress(2, 5);
          await held.held;
        },
      },
    );
    registry.register(
      { type: 'test.broken', attempts: 1 },
      {
        parse: (payload) => payload as Record<string, never>,
        handle: () => Promise.reject(new Error('Partner Center answered 503 <Service Unavailable>')),
      },
    );
    const running = (await enqueue('test.report', { brokerId }))!;
    const dead = (await enqueue('test.broken', { brokerId }))!;
    const retrying = (await enqueue('test.broken', { brokerId: null }))!;
    const othersDead = (await enqueue('test.broken', { brokerId: other }))!;
    await waitForJob(testApp, dead, ['dead']);
    await waitForJob(testApp, othersDead, ['dead']);
    await waitForJob(testApp, running, ['running']);
    // Hold the retrying one still, far from its next attempt: the third of 50, whatever became of its first.
    await sql.transaction((tx) =>
      tx.run(
        `UPDATE jobs SET state = 'queued', attempts = 2, max_attempts = 50, last_error = 'SMTP server down', run_at = ${tx.dialect.placeholder(1)} WHERE id = ${tx.dialect.placeholder(2)}`,
        [tx.dialect.encodeTimestamp(new Date(Date.now() + 3_600_000)), retrying],
      ),
    );
    await eventuallyProgress(running);

    const page = await admin.get('/admin/jobs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Background work</h1>');
    expect(page.text).toContain('hx-trigger="every 2s"');
    expect(page.text).toMatch(
      /Now: <a href="\/admin\/jobs\?state&#x3D;running">1 running<\/a>, <a [^>]+>1 to be retried<\/a>\./,
    );
    expect(jobRow(page.text, running)).toMatchObject({
      Kind: 'Test report',
      State: 'Running',
      Result: expect.stringContaining('2 of 5'),
    });
    expect(jobRow(page.text, running)?.Took).toMatch(/so far$/);
    expect(jobRow(page.text, retrying)).toMatchObject({
      State: 'Failed, to be retried attempt 2 of 50',
      Result: 'SMTP server down',
    });
    expect(jobRow(page.text, retrying)?.['Next attempt']).toMatch(/^Next attempt \d+ \w+ \d{4}, \d\d:\d\d UTC$/);
    expect(jobRow(page.text, dead)).toMatchObject({
      State: 'Failed attempt 1 of 1',
      Result: expect.stringContaining('Partner Center answered 503 <Service Unavailable>'),
    });
    expect(page.text).not.toContain(`id="job-${othersDead}"`);

    const polled = await admin.get('/admin/jobs').set('HX-Request', 'true');
    expect(polled.text).not.toContain('<html');
    expect(polled.text).toContain('id="jobs-list"');
    expect(polled.text).toContain('id="jobs-filters"');
    held.open();
    await waitForJob(testApp, running, ['succeeded']);
    await queue.cancel(retrying);
    const idle = await admin.get('/admin/jobs').set('HX-Request', 'true');
    expect(idle.text).not.toContain('hx-trigger');
  });

  it("should retry a dead job of the admin's broker, and refuse another broker's or one that is not dead", async () => {
    const other = await createBroker(testApp, 'Northwind');
    let fixed = false;
    testApp.app.get(JobRegistry).register(
      { type: 'test.fixable', attempts: 1 },
      {
        parse: (payload) => payload as Record<string, never>,
        handle: () => (fixed ? Promise.resolve() : Promise.reject(new Error('not yet'))),
      },
    );
    const mine = (await enqueue('test.fixable', { brokerId }))!;
    const theirs = (await enqueue('test.fixable', { brokerId: other }))!;
    await waitForJob(testApp, mine, ['dead']);
    await waitForJob(testApp, theirs, ['dead']);
    fixed = true;

    const refused = await postForm(admin, '/admin/jobs', `/admin/jobs/${theirs}/retry`, {});
    expect(refused.status).toBe(303);
    expect((await admin.get('/admin/jobs')).text).toContain(`Job ${theirs} is not a failed job of yours`);
    expect(await queue.get(theirs)).toMatchObject({ state: 'dead' });

    const noToken = await admin.post(`/admin/jobs/${mine}/retry`).type('form').send({});
    expect(noToken.status).toBe(403);
    expect(await queue.get(mine)).toMatchObject({ state: 'dead' });

    const retried = await postForm(admin, '/admin/jobs', `/admin/jobs/${mine}/retry`, {});
    expect(retried.status).toBe(303);
    expect(retried.headers.location).toBe('/admin/jobs');
    expect(await waitForJob(testApp, mine, ['succeeded'])).toMatchObject({ attempts: 1 });
    expect((await admin.get('/admin/jobs')).text).toContain(`Job ${mine} (Test fixable) will run again.`);
    expect((await postForm(admin, '/admin/jobs', '/admin/jobs/abc/retry', {})).status).toBe(404);
  });

  it('should filter by state and kind with a GET form, and refuse values it does not know next to the field', async () => {
    const page = await admin.get('/admin/jobs');
    expect(page.text).toContain('<option value="failed">Failed</option>');
    expect(page.text).toContain('<option value="tenant.sync">Sync from Microsoft</option>');
    expect(page.text).toContain('<option value="test.broken">Test broken</option>');

    const failed = await admin.get('/admin/jobs?state=failed');
    const states = rows(failed.text).map((row) => row.State.split(' attempt')[0]);
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['Failed']));
    expect(failed.text).toContain('<option value="failed" selected>Failed</option>');

    const broken = await admin.get('/admin/jobs?kind=test.broken&state=failed');
    expect(rows(broken.text).map((row) => row.Kind)).toEqual(['Test broken']);
    const done = await admin.get('/admin/jobs?state=done&kind=test.broken');
    expect(done.text).toContain('No job matches these filters.');

    const refused = await admin.get('/admin/jobs?state=exploded&kind=%3Cscript%3E');
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/id="jobs-state-error">Choose a state from the list</);
    expect(refused.text).toMatch(/id="jobs-kind-error">Choose a kind of work from the list</);
    expect(refused.text).not.toContain('<script>');
    expect((await admin.get('/admin/jobs?before=abc&after=-1&state=done&state=failed')).status).toBe(200);
    const swapped = await admin.get('/admin/jobs?state=exploded').set('HX-Request', 'true');
    expect(swapped.status).toBe(422);
    expect(swapped.text).not.toContain('<html');
    expect(swapped.text).toContain('Choose a state from the list');
  });

  it('should page through many finished jobs, older and back newer', async () => {
    const { dialect } = sql;
    const p = dialect.placeholder;
    const at = dialect.encodeTimestamp(new Date(Date.now() - 60_000));
    await sql.transaction(async (tx) => {
      for (let i = 0; i < 70; i += 1)
        await tx.run(
          `INSERT INTO jobs (type, payload, broker_id, state, attempts, max_attempts, run_at, created_at, started_at, finished_at)
           VALUES ('mail.send', '{}', ${p(1)}, 'succeeded', 1, 5, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`,
          [brokerId, at, at, at, at],
        );
    });
    const first = await admin.get('/admin/jobs?kind=mail.send');
    const firstIds = rows(first.text).map((row) => Number(row.Job));
    expect(firstIds).toHaveLength(50);
    expect([...firstIds].sort((a, b) => b - a)).toEqual(firstIds);
    const older = /<a id="jobs-older" href="([^"]+)"/
      .exec(first.text)?.[1]
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    expect(older).toBe(`/admin/jobs?kind=mail.send&before=${firstIds[49]}`);
    const second = await admin.get(older as string);
    const secondIds = rows(second.text).map((row) => Number(row.Job));
    expect(secondIds).toHaveLength(20);
    expect(new Set([...firstIds, ...secondIds]).size).toBe(70);
    expect(second.text).not.toContain('id="jobs-older"');
    expect(second.text).toContain('id="jobs-newer"');
  });

  async function eventuallyProgress(jobId: number) {
    for (;;) {
      const job = await queue.get(jobId);
      if (job?.progressTotal === 5) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
});

describe('Background work page after a restart', () => {
  let before: TestApp | undefined;
  let after: TestApp | undefined;
  afterAll(async () => {
    await after?.close();
    await before?.close();
  });

  it('should still list the jobs that finished before it, done and failed, with their result and duration', async () => {
    before = await createTestApp({ env: { ...FAST_JOBS_ENV, SYNC_INTERVAL_MINUTES: '0' } });
    await setUpFirstAdmin(before);
    const brokerId = await brokerIdOf(before, 'ada@contoso.test');
    const registry = before.app.get(JobRegistry);
    registry.register(
      { type: 'test.count' },
      {
        parse: (payload) => payload as Record<string, never>,
        handle: async (_payload, ctx) => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          await ctx.progress(3, 3);
        },
      },
    );
    registry.register(
      { type: 'test.refused', attempts: 1 },
      {
        parse: (payload) => payload as Record<string, never>,
        handle: () => Promise.reject(new Error('Mailbox full')),
      },
    );
    const sql = before.app.get(SqlService);
    const queue = before.app.get(JobQueue);
    const done = (await sql.transaction((tx) => queue.enqueue(tx, 'test.count', {}, { brokerId })))!;
    const failed = (await sql.transaction((tx) => queue.enqueue(tx, 'test.refused', {}, { brokerId })))!;
    await waitForJob(before, done, ['succeeded']);
    await waitForJob(before, failed, ['dead']);
    const { dataDir } = before;
    await before.close();
    before = undefined;

    after = await createTestApp({ dataDir, env: { SYNC_INTERVAL_MINUTES: '0' } });
    const { agent } = await signIn(after, 'ada@contoso.test');
    const page = await agent.get('/admin/jobs');
    expect(page.status).toBe(200);
    expect(jobRow(page.text, done)).toMatchObject({ Kind: 'Test count', State: 'Done', Result: 'Done: 3 of 3' });
    expect(jobRow(page.text, done)?.Took).toMatch(/^\d+ ms$/);
    expect(Number(/^(\d+)/.exec(jobRow(page.text, done)?.Took ?? '')?.[1])).toBeGreaterThanOrEqual(30);
    expect(jobRow(page.text, done)?.Ended).toMatch(/^Ended \d+ \w+ \d{4}, \d\d:\d\d UTC$/);
    expect(jobRow(page.text, failed)).toMatchObject({ State: 'Failed attempt 1 of 1', Result: 'Mailbox full' });
    expect(jobRow(page.text, failed)?.Took).toMatch(/^\d+ ms$/);
    expect(page.text).toContain('Finished jobs, done or failed, are listed for 14 days after they ended.');
  });
});
