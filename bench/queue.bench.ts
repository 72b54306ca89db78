import { NestFactory } from '@nestjs/core';
import { workerRuns } from './worker-runs';

// npm run bench:queue: the job queue on SQLite and, when BENCH_DATABASE_URL is set (its schema is emptied!), on
// PostgreSQL. Per database and worker concurrency: the latency of enqueueing inside a transaction (one job per
// transaction, the enqueue call alone and the whole transaction with its commit), and the jobs per second one
// worker claims and completes with a no-op handler. BENCH_JOBS sets how many.
const JOBS = Number(process.env.BENCH_JOBS ?? 5000);
const LATENCY_SAMPLES = Math.min(2000, JOBS);

interface RunFigures {
  database: string;
  concurrency: number;
  enqueueP50: number;
  enqueueP95: number;
  txP50: number;
  txP95: number;
  jobsPerSecond: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

// One measurement in a process of its own: entities read DATABASE_URL when they are first imported.
async function measure(concurrency: number): Promise<RunFigures> {
  const { AppModule } = await import('../src/app.module');
  const { SqlService } = await import('../src/database/sql.service');
  const { JobQueue } = await import('../src/jobs/job-queue.service');
  const { JobRegistry } = await import('../src/jobs/job-registry');
  const { JobWorker } = await import('../src/jobs/job-worker.service');
  const app = await NestFactory.create(AppModule, { bodyParser: false, logger: ['error'] });
  await app.init();
  const sql = app.get(SqlService);
  const queue = app.get(JobQueue);
  app
    .get(JobRegistry)
    .register({ type: 'bench.noop' }, { parse: (payload: unknown) => payload, handle: () => Promise.resolve() });

  const enqueueMs: number[] = [];
  const txMs: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i += 1) {
    const txStart = performance.now();
    await sql.transaction(async (tx) => {
      const start = performance.now();
      await queue.enqueue(tx, 'bench.noop', { n: i });
      enqueueMs.push(performance.now() - start);
    });
    txMs.push(performance.now() - txStart);
  }
  for (let done = LATENCY_SAMPLES; done < JOBS; done += 500) {
    await sql.transaction(async (tx) => {
      for (let i = done; i < Math.min(JOBS, done + 500); i += 1) await queue.enqueue(tx, 'bench.noop', { n: i });
    });
  }

  const worker = app.get(JobWorker);
  const start = performance.now();
  worker.start();
  for (;;) {
    const [row] = await sql.query<{ n: number | string }>`
      SELECT COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running')`;
    if (Number(row.n) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - start) / 1000;
  await app.close();
  enqueueMs.sort((a, b) => a - b);
  txMs.sort((a, b) => a - b);
  return {
    database: sql.dialect.name,
    concurrency,
    enqueueP50: percentile(enqueueMs, 0.5),
    enqueueP95: percentile(enqueueMs, 0.95),
    txP50: percentile(txMs, 0.5),
    txP95: percentile(txMs, 0.95),
    jobsPerSecond: JOBS / seconds,
  };
}

async function main(): Promise<void> {
  const results = await workerRuns(__filename, 'queue', [1, 4], measure);
  if (!results) return;
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  console.log(`\nJob queue, ${JOBS} no-op jobs (enqueue latency over ${LATENCY_SAMPLES} one-job transactions)\n`);
  console.log(
    '| database | worker concurrency | jobs/s claimed + completed | enqueue p50 / p95 | transaction with commit p50 / p95 |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.database} | ${r.concurrency} | ${Math.round(r.jobsPerSecond)} | ${ms(r.enqueueP50)} / ${ms(r.enqueueP95)} | ${ms(r.txP50)} / ${ms(r.txP95)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
