/* global require, process, setTimeout */
// A test harness app process: the built app (dist/) plus one test-only job type, 'test.count', that records each
// run in test_job_runs. Started with JOB_WORKER=off so that its worker starts only once the type is registered.
const { NestFactory } = require('@nestjs/core');
const { AppModule } = require('../../dist/app.module');
const { SqlService } = require('../../dist/database/sql.service');
const { JobRegistry } = require('../../dist/jobs/job-registry');
const { JobWorker } = require('../../dist/jobs/job-worker.service');

async function main() {
  const app = await NestFactory.create(AppModule, { bodyParser: false, logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.init();
  const sql = app.get(SqlService);
  app.get(JobRegistry).register(
    { type: 'test.count' },
    {
      parse: (payload) => payload,
      // A real job waits on something outside the database (Partner Center, SMTP) before it writes; without that
      // wait one process can hold SQLite's write lock so continuously that the other never claims a job.
      handle: async (_payload, ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        await sql.transaction(
          (tx) => tx.query`INSERT INTO test_job_runs (job_id, pid) VALUES (${ctx.jobId}, ${process.pid})`,
        );
      },
    },
  );
  app.get(JobWorker).start();
  process.stdout.write('job-runner ready\n');
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
