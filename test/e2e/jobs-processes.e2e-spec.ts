import { join } from 'node:path';
import { DatabaseBusyError } from '../../src/database/database-errors';
import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { Outbox } from '../../src/mail/outbox.service';
import { ROOT, startAppProcess, stopAppProcess, type AppProcess } from '../support/app-process';
import { eventually, waitForJob } from '../support/jobs';
import { startSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';

// Real app processes on the test's database (SQLite file or PostgreSQL): `npm run build` must have run.
const MAIN = join(ROOT, 'dist', 'main.js');
const RUNNER = join(ROOT, 'test', 'support', 'job-runner.js');
const QUIET = { SYNC_INTERVAL_MINUTES: '0', JOB_POLL_MS: '50', JOB_RETRY_BASE_MS: '50' };

const dbEnv = (): Record<string, string> =>
  process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {};

// Two app boots on a shared 2-core machine take longer than the e2e project's default ceiling.
describe('Jobs across real app processes', () => {
  const processes: AppProcess[] = [];
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((app) => stopAppProcess(app, 'SIGKILL')));
    await testApp?.close();
    testApp = undefined;
  });

  it('should send an email once when the app is killed (-9) mid-send and started again', async () => {
    const smtp = await startSmtp();
    try {
      testApp = await createTestApp({ env: { JOB_WORKER: 'off', SMTP_URL: smtp.url } });
      const sql = testApp.app.get(SqlService);
      const outboxId = await sql.transaction((tx) =>
        testApp!.app.get(Outbox).enqueue(tx, {
          brokerId: null,
          to: 'signatory@customer.test',
          subject: 'Please accept the Microsoft Customer Agreement',
          template: 'notice',
          context: { heading: 'Microsoft Customer Agreement', paragraphs: ['Open the link to accept.'] },
        }),
      );
      const [message] = await sql.query<{ message_id: string }>`
        SELECT message_id FROM outbox_messages WHERE id = ${outboxId}`;
      const [job] = await sql.query<{ id: number }>`SELECT id FROM jobs WHERE unique_key = ${`mail:${outboxId}`}`;
      const env = { ...QUIET, ...dbEnv(), DATA_DIR: testApp.dataDir, SMTP_URL: smtp.url, JOB_LEASE_MS: '2000' };

      const hold = smtp.holdAnswers();
      const first = startAppProcess(MAIN, env);
      processes.push(first);
      await hold.arrived;
      first.child.kill('SIGKILL');
      await first.exited;
      hold.drop();
      expect(smtp.received).toHaveLength(0);
      expect(await testApp.app.get(JobQueue).get(Number(job.id))).toMatchObject({ state: 'running', attempts: 1 });

      const second = startAppProcess(MAIN, env);
      processes.push(second);
      expect(await waitForJob(testApp, Number(job.id), ['succeeded', 'dead'])).toMatchObject({
        state: 'succeeded',
        attempts: 2,
      });
      const delivered = await smtp.parsed();
      expect(delivered).toHaveLength(1);
      expect(delivered[0].messageId).toBe(message.message_id);
      expect(delivered[0].subject).toBe('Please accept the Microsoft Customer Agreement');
      const [sent] = await sql.query<{ sent_at: unknown }>`SELECT sent_at FROM outbox_messages WHERE id = ${outboxId}`;
      expect(sent.sent_at).toBeTruthy();
      await stopAppProcess(second);
      expect(smtp.received).toHaveLength(1);
    } finally {
      await smtp.stop();
    }
  }, 180_000);

  it('should run each of 2,000 jobs exactly once with two app processes draining the queue', async () => {
    testApp = await createTestApp({ env: { JOB_WORKER: 'off' } });
    const sql = testApp.app.get(SqlService);
    await sql.transaction((tx) => tx.query`CREATE TABLE test_job_runs (job_id integer NOT NULL, pid integer NOT NULL)`);
    const env = { ...QUIET, ...dbEnv(), DATA_DIR: testApp.dataDir, JOB_WORKER: 'off', JOB_CONCURRENCY: '4' };
    const runners = [startAppProcess(RUNNER, env), startAppProcess(RUNNER, env)];
    processes.push(...runners);
    await eventually(() => (runners.every((r) => r.output().includes('job-runner ready')) ? true : undefined), 50);

    const queue = testApp.app.get(JobQueue);
    for (let batch = 0; batch < 10; batch += 1) {
      await sql.transaction(async (tx) => {
        for (let i = 0; i < 200; i += 1) await queue.enqueue(tx, 'test.count', { n: batch * 200 + i });
      });
    }
    const count = async (text: TemplateStringsArray) => Number((await sql.query<{ n: number | string }>(text))[0].n);
    await eventually(
      async () =>
        (await count`SELECT COUNT(*) AS n FROM jobs WHERE type = 'test.count' AND state = 'succeeded'`) === 2000
          ? true
          : undefined,
      200,
    );
    expect(await count`SELECT COUNT(*) AS n FROM test_job_runs`).toBe(2000);
    expect(await count`SELECT COUNT(DISTINCT job_id) AS n FROM test_job_runs`).toBe(2000);
    // A second attempt only where the first found the database busy for longer than the seam waits (BUSY_BUDGET_MS:
    // three processes write, the test's batches of 200 among them); it still ran once. Never a lease taken over.
    const retried = await sql.query<{ last_error: string | null }>`
      SELECT last_error FROM jobs WHERE type = 'test.count' AND attempts <> 1`;
    expect(retried.filter((job) => job.last_error !== new DatabaseBusyError().message)).toEqual([]);
    // Both processes took part.
    expect(await count`SELECT COUNT(DISTINCT pid) AS n FROM test_job_runs`).toBe(2);
    await Promise.all(runners.map((runner) => stopAppProcess(runner)));
    // Nest ends a process by its signal again once the shutdown hooks have run.
    expect(runners.map((runner) => runner.child.signalCode)).toEqual(['SIGTERM', 'SIGTERM']);
  }, 240_000);
});
