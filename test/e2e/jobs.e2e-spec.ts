import { currentActor, currentBrokerId } from '../../src/common/request-context';
import { SqlService } from '../../src/database/sql.service';
import { PermanentJobError, RetryLaterError, type JobContext, type JobDeclaration } from '../../src/jobs/job-handler';
import { JobPruneHandler } from '../../src/jobs/job-prune.handler';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { JobRegistry } from '../../src/jobs/job-registry';
import { JobWorker } from '../../src/jobs/job-worker.service';
import { RecurringJobs } from '../../src/jobs/recurring-jobs.service';
import { eventually, FAST_JOBS_ENV, waitForJob } from '../support/jobs';
import { gate } from '../support/sandbox';
import { createTestApp, type TestApp } from '../support/test-app';
import { createBroker } from '../support/tenants';

type Payload = Record<string, unknown>;

const anyPayload = (payload: unknown): Payload => payload as Payload;

describe('Jobs', () => {
  let testApp: TestApp;
  let queue: JobQueue;
  let sql: SqlService;
  let registry: JobRegistry;

  const enqueue = (type: string, payload: Payload = {}, options: Parameters<JobQueue['enqueue']>[3] = {}) =>
    sql.transaction((tx) => queue.enqueue(tx, type, payload, options));

  const register = (
    type: string | JobDeclaration<Payload>,
    handle: (payload: Payload, ctx: JobContext) => Promise<void>,
    parse = anyPayload,
  ) => registry.register(typeof type === 'string' ? { type } : type, { parse, handle });

  beforeAll(async () => {
    testApp = await createTestApp({ env: FAST_JOBS_ENV });
    queue = testApp.app.get(JobQueue);
    sql = testApp.app.get(SqlService);
    registry = testApp.app.get(JobRegistry);
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should run a job enqueued in a committed transaction, for its broker, as the system actor, with progress', async () => {
    const brokerId = await createBroker(testApp, 'Contoso');
    const seen: unknown[] = [];
    register('test.context', async (payload, ctx) => {
      seen.push({ payload, broker: currentBrokerId(), actor: currentActor(), attempt: ctx.attempt });
      await ctx.progress(3, 7);
    });
    const jobId = (await enqueue('test.context', { greeting: 'hello' }, { brokerId }))!;
    const job = await waitForJob(testApp, jobId, ['succeeded', 'dead']);
    expect(job).toMatchObject({ state: 'succeeded', attempts: 1, progressDone: 3, progressTotal: 7, brokerId });
    expect(seen).toEqual([
      {
        payload: { greeting: 'hello' },
        broker: brokerId,
        actor: { type: 'system', jobId, label: `job ${jobId}` },
        attempt: 1,
      },
    ]);
  });

  it('should not create the job when the transaction that asked for it rolls back', async () => {
    await expect(
      sql.transaction(async (tx) => {
        await queue.enqueue(tx, 'test.never', {});
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const [{ count }] = await sql.query<{
      count: number | string;
    }>`SELECT COUNT(*) AS count FROM jobs WHERE type = 'test.never'`;
    expect(Number(count)).toBe(0);
  });

  it('should make a second enqueue with the same unique key a no-op, forever or while the first is active', async () => {
    const held = gate();
    let runs = 0;
    const run = async () => {
      runs += 1;
      await held.held;
    };
    register({ type: 'test.unique', unique: { key: ({ id }) => `once:${String(id)}` } }, run);
    register({ type: 'test.unique-active', unique: { key: ({ id }) => `active:${String(id)}`, scope: 'active' } }, run);
    const first = await enqueue('test.unique', { id: 1 });
    expect(first).toEqual(expect.any(Number));
    expect(await enqueue('test.unique', { id: 1 })).toBeNull();
    const active = await enqueue('test.unique-active', { id: 1 });
    await waitForJob(testApp, active!, ['running']);
    expect(await enqueue('test.unique-active', { id: 1 })).toBeNull();
    held.open();
    await waitForJob(testApp, first!, ['succeeded']);
    await waitForJob(testApp, active!, ['succeeded']);
    expect(await enqueue('test.unique', { id: 1 })).toBeNull();
    const again = await enqueue('test.unique-active', { id: 1 });
    expect(again).toEqual(expect.any(Number));
    await waitForJob(testApp, again!, ['succeeded']);
    expect(runs).toBe(3);
  });

  it('should retry a failing job, honouring RetryLaterError, until it succeeds', async () => {
    const attemptsAt: number[] = [];
    register('test.flaky', async (_payload, ctx) => {
      attemptsAt.push(Date.now());
      if (ctx.attempt === 1) throw new Error('first try fails');
      if (ctx.attempt === 2) throw new RetryLaterError('rate limited', 400);
    });
    const jobId = (await enqueue('test.flaky'))!;
    const job = await waitForJob(testApp, jobId, ['succeeded', 'dead']);
    expect(job).toMatchObject({ state: 'succeeded', attempts: 3 });
    expect(attemptsAt[2] - attemptsAt[1]).toBeGreaterThanOrEqual(400);
  });

  it('should keep a job as dead with its error after the last attempt, and at once on PermanentJobError', async () => {
    let permanentRuns = 0;
    register({ type: 'test.always-fails', attempts: 3 }, () => Promise.reject(new Error('Partner Center said no')));
    register({ type: 'test.permanent', attempts: 5 }, () => {
      permanentRuns += 1;
      return Promise.reject(new PermanentJobError('The attestation no longer exists'));
    });
    const failing = (await enqueue('test.always-fails'))!;
    const permanent = (await enqueue('test.permanent'))!;
    expect(await waitForJob(testApp, failing, ['dead'])).toMatchObject({
      attempts: 3,
      lastError: 'Partner Center said no',
    });
    expect(await waitForJob(testApp, permanent, ['dead'])).toMatchObject({
      attempts: 1,
      lastError: 'The attestation no longer exists',
    });
    expect(permanentRuns).toBe(1);
  });

  it('should delete jobs that ended JOB_RETENTION_DAYS ago, in batches, and keep newer and unfinished ones', async () => {
    register('test.prunable', () => Promise.resolve());
    register('test.prunable-dead', () => Promise.reject(new PermanentJobError('no')));
    const done = await Promise.all(Array.from({ length: 3 }, () => enqueue('test.prunable')));
    const dead = (await enqueue('test.prunable-dead'))!;
    for (const id of done) await waitForJob(testApp, id!, ['succeeded']);
    await waitForJob(testApp, dead, ['dead']);
    const waiting = (await enqueue('test.prunable', {}, { runAt: new Date(Date.now() + 3_600_000) }))!;
    const ids = [...done.map(Number), dead, waiting].sort((a, b) => a - b);
    const left = async () =>
      (
        await sql.run<{ id: number | string }>(`SELECT id FROM jobs WHERE id IN (${ids.join(', ')}) ORDER BY id`, [])
      ).map((row) => Number(row.id));
    const prune = testApp.app.get(JobPruneHandler);
    const DAY = 86_400_000;

    await prune.prune(new Date(Date.now() + 13 * DAY));
    expect(await left()).toEqual(ids);
    await prune.prune(new Date(Date.now() + 15 * DAY));
    expect(await left()).toEqual([waiting]);
  });

  it('should make bad jobs dead with a readable error and go on with the others', async () => {
    const brokerId = await createBroker(testApp, 'Soon gone');
    let ran = 0;
    register(
      'test.strict',
      () => Promise.resolve(),
      (payload) => {
        if (typeof (payload as Payload).tenantId !== 'string') throw new Error('tenantId must be a string');
        return payload as Payload;
      },
    );
    register({ type: 'test.throws-string', attempts: 1 }, () => Promise.reject('a plain string' as unknown as Error));
    register('test.fine', () => {
      ran += 1;
      return Promise.resolve();
    });
    const badPayload = (await enqueue('test.strict', { tenantId: 42 }))!;
    const nonError = (await enqueue('test.throws-string'))!;
    const unknown = (await enqueue('test.no-such-type'))!;
    const orphan = (await sql.transaction(async (tx) => {
      const id = await queue.enqueue(tx, 'test.fine', {}, { brokerId });
      await tx.query`DELETE FROM brokers WHERE id = ${brokerId}`;
      return id;
    }))!;
    const fine = (await enqueue('test.fine'))!;
    expect(await waitForJob(testApp, badPayload, ['dead'])).toMatchObject({
      attempts: 1,
      lastError: "The job's payload does not parse: tenantId must be a string",
    });
    expect((await waitForJob(testApp, nonError, ['dead'])).lastError).toBe(
      "The handler threw a non-Error value: 'a plain string'",
    );
    expect((await waitForJob(testApp, unknown, ['dead'])).lastError).toBe(
      'Unknown job type "test.no-such-type": no handler for it in this app',
    );
    expect((await waitForJob(testApp, orphan, ['dead'])).lastError).toBe(`Broker ${brokerId} no longer exists`);
    expect(await waitForJob(testApp, fine, ['succeeded'])).toMatchObject({ attempts: 1 });
    expect(ran).toBe(1);
  });

  it('should cancel a queued job before it runs and abort a running one', async () => {
    let laterRuns = 0;
    register('test.later', () => {
      laterRuns += 1;
      return Promise.resolve();
    });
    const later = (await enqueue('test.later', {}, { runAt: new Date(Date.now() + 60_000) }))!;
    expect(await queue.cancel(later)).toBe(true);
    expect(await queue.cancel(later)).toBe(false);

    const aborted = gate();
    register('test.long', async (_payload, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.open());
      await aborted.held;
    });
    const long = (await enqueue('test.long'))!;
    await waitForJob(testApp, long, ['running']);
    expect(await queue.cancel(long)).toBe(true);
    await aborted.held;
    await eventually(() => (testApp.app.get(JobWorker).idle ? true : undefined));
    expect(await queue.get(long)).toMatchObject({ state: 'cancelled' });
    expect(await queue.get(later)).toMatchObject({ state: 'cancelled', attempts: 0 });
    expect(laterRuns).toBe(0);
  });

  it('should take over a job whose instance stopped renewing its lease', async () => {
    let ran = 0;
    register('test.orphaned', () => {
      ran += 1;
      return Promise.resolve();
    });
    const jobId = (await enqueue('test.orphaned', {}, { runAt: new Date(Date.now() + 60_000) }))!;
    const past = sql.dialect.encodeTimestamp(new Date(Date.now() - 1000));
    await sql.transaction((tx) =>
      tx.run(
        `UPDATE jobs SET state = 'running', attempts = 1, locked_by = 'a-dead-instance', locked_until = ${tx.dialect.placeholder(1)} WHERE id = ${tx.dialect.placeholder(2)}`,
        [past, jobId],
      ),
    );
    expect(await waitForJob(testApp, jobId, ['succeeded', 'dead'])).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(ran).toBe(1);
  });

  it('should let an admin retry a dead job from its first attempt', async () => {
    const brokerId = await createBroker(testApp, 'Fabrikam');
    let fail = true;
    register({ type: 'test.fixed-later', attempts: 1 }, () =>
      fail ? Promise.reject(new Error('not yet')) : Promise.resolve(),
    );
    const jobId = (await enqueue('test.fixed-later', {}, { brokerId }))!;
    await waitForJob(testApp, jobId, ['dead']);
    fail = false;
    expect(await queue.retry(jobId, brokerId + 1000)).toBeNull();
    expect(await queue.retry(jobId, brokerId)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await waitForJob(testApp, jobId, ['succeeded', 'dead'])).toMatchObject({ state: 'succeeded', attempts: 1 });
  });
});

describe('Recurring jobs', () => {
  it('should enqueue each due time once across two instances, and once after downtime', async () => {
    const first = await createTestApp({ env: { ...FAST_JOBS_ENV, JOB_WORKER: 'off' } });
    const second = await createTestApp({ dataDir: first.dataDir, env: { ...FAST_JOBS_ENV, JOB_WORKER: 'off' } });
    try {
      const start = new Date('2030-01-07T06:00:00Z');
      const definition = { name: 'nightly-report', type: 'test.nightly', cron: '30 2 * * *', timeZone: 'Europe/Paris' };
      await Promise.all([
        first.app.get(RecurringJobs).define(definition, start),
        second.app.get(RecurringJobs).define(definition, start),
      ]);
      const due = (await first.app.get(RecurringJobs).nextRunAt('nightly-report'))!;
      expect(due.toISOString()).toBe('2030-01-08T01:30:00.000Z');
      const nightlyJobs = async () =>
        (
          await first.app.get(SqlService).query<{
            unique_key: string;
          }>`SELECT unique_key FROM jobs WHERE type = 'test.nightly' ORDER BY id`
        ).map((job) => job.unique_key);
      await Promise.all(
        [first, second, first, second].map((app) => app.app.get(RecurringJobs).tick(new Date(due.getTime() + 5))),
      );
      expect(await nightlyJobs()).toEqual(['schedule:nightly-report:2030-01-08T01:30:00.000Z']);
      // Down for three nights: one job, and the schedule moves to the next night still to come.
      await Promise.all([
        first.app.get(RecurringJobs).tick(new Date('2030-01-11T09:00:00Z')),
        second.app.get(RecurringJobs).tick(new Date('2030-01-11T09:00:00Z')),
      ]);
      expect((await first.app.get(RecurringJobs).nextRunAt('nightly-report'))!.toISOString()).toBe(
        '2030-01-12T01:30:00.000Z',
      );
      expect(await nightlyJobs()).toEqual([
        'schedule:nightly-report:2030-01-08T01:30:00.000Z',
        'schedule:nightly-report:2030-01-09T01:30:00.000Z',
      ]);
      // Defining it again unchanged keeps its next due time; a new definition starts from now.
      await first.app.get(RecurringJobs).define(definition, new Date('2030-01-11T10:00:00Z'));
      expect((await first.app.get(RecurringJobs).nextRunAt('nightly-report'))!.toISOString()).toBe(
        '2030-01-12T01:30:00.000Z',
      );
      await first.app.get(RecurringJobs).define({ ...definition, cron: '0 4 * * *' }, new Date('2030-01-11T10:00:00Z'));
      expect((await first.app.get(RecurringJobs).nextRunAt('nightly-report'))!.toISOString()).toBe(
        '2030-01-12T03:00:00.000Z',
      );
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe('Jobs at shutdown', () => {
  it('should let running jobs finish within the grace period and release the rest', async () => {
    const testApp = await createTestApp({ env: { ...FAST_JOBS_ENV, JOB_SHUTDOWN_GRACE_MS: '300' } });
    const sql = testApp.app.get(SqlService);
    const queue = testApp.app.get(JobQueue);
    const stuck = gate();
    let quickDone = false;
    testApp.app.get(JobRegistry).register(
      { type: 'test.stuck' },
      {
        parse: anyPayload,
        handle: async (_payload, ctx) => {
          ctx.signal.addEventListener('abort', () => stuck.open());
          await stuck.held;
        },
      },
    );
    testApp.app.get(JobRegistry).register(
      { type: 'test.quick' },
      {
        parse: anyPayload,
        handle: async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          quickDone = true;
        },
      },
    );
    const stuckId = (await sql.transaction((tx) => queue.enqueue(tx, 'test.stuck', {})))!;
    const quickId = (await sql.transaction((tx) => queue.enqueue(tx, 'test.quick', {})))!;
    await waitForJob(testApp, stuckId, ['running']);
    await waitForJob(testApp, quickId, ['running']);
    await testApp.app.get(JobWorker).stop();
    expect(quickDone).toBe(true);
    expect(await queue.get(quickId)).toMatchObject({ state: 'succeeded' });
    // The interrupted attempt stays counted (issue 21: a shutdown never resets a job's attempts).
    expect(await queue.get(stuckId)).toMatchObject({ state: 'queued', attempts: 1 });
    await testApp.close();
  });
});
