import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { PartnerCenterSandbox } from '../src/partner-center/sandbox/partner-center-sandbox';
import { benchUser, createBrokerUser, DIST, freePort, setUp, signIn, startServer, stopServer } from './app-process';
import { openLoop, percentile } from './load';
import { DEFAULT_BENCH_DATABASE_URL } from './options';
import { freshPostgresDatabase } from './postgres-database';
import { cpuMs, loadAverage, peakRssMb } from './proc-stats';
import { seedTenants, seedTenantsPostgres } from './seed-tenants';

// Issue 24, item 7: a batch of 1,000 attestations against the Partner Center sandbox, from the partner's confirm to
// the last link created, on SQLite or PostgreSQL: the time it takes, the calls Partner Center gets, the app's peak
// memory, and what other users' MCA page costs meanwhile (an open loop from another broker's session; on SQLite
// no request may wait over 100 ms). The sandbox runs in this process, so it counts every call the app makes.
// BENCH_PC_LATENCY_MS adds a delay to each of the sandbox's create answers (Microsoft's take about a second).
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: process.env.BENCH_BULK_ROWS ?? '1000' },
    db: { type: 'string', default: process.env.BENCH_DB ?? 'sqlite' },
    latency: { type: 'string', default: process.env.BENCH_PC_LATENCY_MS ?? '0' },
    rate: { type: 'string', default: process.env.BENCH_RATE ?? '20' },
  },
});
const ROWS = Number(values.rows);
const db = values.db === 'postgres' ? 'postgres' : 'sqlite';
const latencyMs = Number(values.latency);
const RATE = Number(values.rate);

// The bench's own reads and writes of the app's database, in one dialect's placeholders (`?`).
interface BenchDb {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

async function openDb(dataDir: string, url: string): Promise<BenchDb> {
  if (db === 'postgres') {
    const client = new Client({ connectionString: url });
    await client.connect();
    return {
      all: async <T>(sql: string, params: unknown[] = []) => {
        let n = 0;
        return (
          await client.query(
            sql.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows as T[];
      },
      close: () => client.end(),
    };
  }
  const sqlite = new Database(join(dataDir, 'mca-manager.sqlite'));
  sqlite.pragma('busy_timeout = 5000');
  return {
    all: <T>(sql: string, params: unknown[] = []) => {
      const statement = sqlite.prepare(sql);
      return Promise.resolve((statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[]);
    },
    close: async () => {
      sqlite.close();
    },
  };
}

// A draft batch of `ROWS` tenants of broker 1 with no acceptance, as the upload's preview leaves it.
async function draftBatch(database: BenchDb): Promise<number> {
  const tenants = await database.all<{ id: number; microsoft_tenant_id: string; name: string }>(
    `SELECT id, microsoft_tenant_id, name FROM tenants WHERE broker_id = 1 AND status = 'none' AND removed_at IS NULL
     ORDER BY id LIMIT ?`,
    [ROWS],
  );
  if (tenants.length < ROWS) throw new Error(`Only ${tenants.length} tenants without acceptance were seeded`);
  const sha = createHash('sha256').update('bench').digest('hex');
  const [batch] = await database.all<{ id: number }>(
    `INSERT INTO attestation_batches (broker_id, source, status, file_name, file_sha256, row_count, created_by_user_id, created_by_label)
     VALUES (1, 'file', 'draft', 'bench.csv', ?, ?, 1, 'Bench Admin 1 (bench1@bench.test)') RETURNING id`,
    [sha, ROWS],
  );
  for (let start = 0; start < ROWS; start += 100) {
    const slice = tenants.slice(start, start + 100);
    await database.all(
      `INSERT INTO attestation_batch_rows (batch_id, row_number, tenant_id, microsoft_tenant_id, company_name,
         signatory_first_name, signatory_last_name, signatory_email, country, language, auto_finalize, status)
       VALUES ${slice.map(() => `(?, ?, ?, ?, ?, 'Bench', ?, ?, 'US', 'en-US', ?, 'pending')`).join(', ')}`,
      slice.flatMap((tenant, i) => [
        batch.id,
        start + i + 2,
        tenant.id,
        tenant.microsoft_tenant_id,
        tenant.name,
        `Signer ${start + i}`,
        `signer${start + i}@bench.test`,
        db === 'postgres' ? false : 0,
      ]),
    );
  }
  return Number(batch.id);
}

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const ms = (value: number) => `${value.toFixed(0)} ms`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mca-bench-bulk-'));
  const sandbox = new PartnerCenterSandbox({ stateFile: join(dataDir, 'sandbox.json'), port: await freePort() });
  await sandbox.start();
  if (latencyMs > 0)
    sandbox.faults.add({ method: 'POST', path: '/v1/attestations/enhanced', delayMs: latencyMs, times: Infinity });
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
  if (db === 'postgres') await freshPostgresDatabase(databaseUrl);
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    SANDBOX_PORT: new URL(sandbox.baseUrl).port,
    SYNC_INTERVAL_MINUTES: '0',
    LOG_LEVEL: 'warn',
    ...(db === 'postgres' ? { DATABASE_URL: databaseUrl } : {}),
  };
  const app = await startServer(join(DIST, 'main.js'), [], env, port, join(dataDir, 'app.log'), dataDir);
  const database = await openDb(dataDir, databaseUrl);
  try {
    const cookie = await setUp(app.url, benchUser(1));
    await createBrokerUser(env, dataDir, benchUser(2));
    const other = await signIn(app.url, benchUser(2));
    const seeded = ROWS * 3;
    if (db === 'postgres') await seedTenantsPostgres(databaseUrl, [1, 2], seeded);
    else seedTenants(join(dataDir, 'mca-manager.sqlite'), [1, 2], seeded);
    const batchId = await draftBatch(database);
    const mca = `${app.url}/mca`;
    const headers = { cookie: other };
    const before = await openLoop(mca, headers, RATE, 5);

    const calls = new Map(sandbox.callCounts);
    const load = loadAverage();
    const cpuBefore = cpuMs(app.pid);
    const page = await fetch(`${app.url}/attestation-batches`, { headers: { cookie } });
    const started = performance.now();
    const confirmed = await fetch(`${app.url}/attestation-batches/${batchId}/confirm`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrfOf(await page.text()) }),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    if (confirmed.status !== 303) throw new Error(`Confirm answered ${confirmed.status}`);

    // Other users' MCA page, in 2-second open-loop runs, until the last link is created.
    const during: number[] = [];
    let errors = 0;
    let linksAt = 0;
    const loads = (async () => {
      while (!linksAt) {
        const run = await openLoop(mca, headers, RATE, 2);
        during.push(...run.latencies);
        errors += run.errors;
      }
    })();
    for (;;) {
      const [row] = await database.all<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM attestation_batch_rows WHERE batch_id = ? AND status IN ('created', 'failed')`,
        [batchId],
      );
      if (Number(row.n) === ROWS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    linksAt = performance.now() - started;
    await loads;
    const cpu = cpuMs(app.pid) - cpuBefore;
    const [outcome] = await database.all<{ created: number | string; failed: number | string }>(
      `SELECT SUM(CASE WHEN status = 'created' THEN 1 ELSE 0 END) AS created,
              SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
       FROM attestation_batch_rows WHERE batch_id = ?`,
      [batchId],
    );
    const [made] = await database.all<{ n: number | string; tenants: number | string }>(
      'SELECT COUNT(*) AS n, COUNT(DISTINCT tenant_id) AS tenants FROM attestations',
    );
    // By route, with Microsoft's ids as `{id}`.
    const used = new Map<string, number>();
    for (const [route, count] of sandbox.callCounts) {
      const key = route.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{id}');
      used.set(key, (used.get(key) ?? 0) + count - (calls.get(route) ?? 0));
    }
    const sortedBefore = [...before.latencies].sort((a, b) => a - b);
    const sorted = [...during].sort((a, b) => a - b);

    console.log(
      `Bulk attestation, ${ROWS.toLocaleString('en-GB')} rows, ${db}, Partner Center sandbox (+${latencyMs} ms per create), ${cpus().length} cores, load ${load.toFixed(1)}, ${new Date().toISOString()}`,
    );
    console.log(
      `  Confirm to all links created: ${(linksAt / 1000).toFixed(1)} s (${(ROWS / (linksAt / 1000)).toFixed(0)} rows/s); created ${outcome.created}, failed ${outcome.failed}; attestations ${made.n} for ${made.tenants} tenants; app CPU ${(cpu / 1000).toFixed(1)} s`,
    );
    console.log(`  Partner Center calls: ${[...used.values()].reduce((sum, n) => sum + n, 0)}`);
    for (const [route, count] of used) if (count > 0) console.log(`    ${String(count).padStart(6)}  ${route}`);
    console.log(`  Peak RSS of the app: ${peakRssMb(app.pid).toFixed(0)} MB`);
    console.log(
      `  Other users' MCA page at ${RATE}/s, before the batch: p50 ${ms(percentile(sortedBefore, 0.5))}, p95 ${ms(percentile(sortedBefore, 0.95))}, max ${ms(sortedBefore[sortedBefore.length - 1] ?? NaN)}`,
    );
    console.log(
      `  ... during the batch: ${sorted.length} requests, p50 ${ms(percentile(sorted, 0.5))}, p95 ${ms(percentile(sorted, 0.95))}, p99 ${ms(percentile(sorted, 0.99))}, max ${ms(sorted[sorted.length - 1] ?? NaN)}, over 100 ms: ${sorted.filter((v) => v > 100).length}, errors ${errors}`,
    );
  } finally {
    await database.close();
    await stopServer(app);
    await sandbox.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
