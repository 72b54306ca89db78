import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { PartnerCenterSandbox } from '../src/partner-center/sandbox/partner-center-sandbox';
import { MCA_TEMPLATE_ID } from '../src/partner-center/sandbox/sandbox-seed';
import { SandboxState } from '../src/partner-center/sandbox/sandbox-state';
import { DIST, freePort, setUp, benchUser, startServer, stopServer, type Server } from './app-process';
import { freshPostgresDatabase } from './postgres-database';
import { DEFAULT_BENCH_DATABASE_URL } from './options';
import { cpuMs, loadAverage, peakRssMb } from './proc-stats';

// Issue 18: what a sync that reads every customer's acceptance (direct status and partner agreements, both App+User)
// costs at 10,000 customers, the first time and when nothing changed, in calls to Partner Center, wall time and the
// app's CPU. The sandbox runs in this process, so that it counts every call the app makes and its own CPU is not the
// app's.
const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: process.env.BENCH_SYNC_CUSTOMERS ?? '10000' },
    db: { type: 'string', default: process.env.BENCH_DB ?? 'sqlite' },
  },
});
const customers = Number(values.customers);
const db = values.db === 'postgres' ? 'postgres' : 'sqlite';

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function syncOnce(app: Server, cookie: string, sandbox: PartnerCenterSandbox) {
  const before = new Map(sandbox.callCounts);
  const cpuBefore = cpuMs(app.pid);
  const started = performance.now();
  const page = await fetch(`${app.url}/sync/status`, { headers: { cookie } });
  const response = await fetch(`${app.url}/sync`, {
    method: 'POST',
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()) }),
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  if (response.status !== 303) throw new Error(`Starting the sync failed with ${response.status}`);
  let status = '';
  for (;;) {
    status = await (await fetch(`${app.url}/sync/status`, { headers: { cookie, 'HX-Request': 'true' } })).text();
    if (!status.includes('Syncing from Microsoft')) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const wall = performance.now() - started;
  const calls = [...sandbox.callCounts].map(([route, count]) => [route, count - (before.get(route) ?? 0)] as const);
  return {
    failed: status.includes('The last sync from Microsoft failed'),
    wall,
    cpu: cpuMs(app.pid) - cpuBefore,
    calls: calls.filter(([, count]) => count > 0),
  };
}

// Moves every tenant's last confirmation `hours` back, as if that much time had passed since the syncs.
async function ageChecks(database: string, hours: number): Promise<void> {
  if (database.startsWith('postgres')) {
    const client = new Client({ connectionString: database });
    await client.connect();
    await client.query(`UPDATE tenants SET acceptance_checked_at = acceptance_checked_at - interval '${hours} hours'`);
    await client.end();
    return;
  }
  const sqlite = new Database(database);
  sqlite.pragma('busy_timeout = 5000');
  sqlite
    .prepare(
      `UPDATE tenants SET acceptance_checked_at = strftime('%Y-%m-%d %H:%M:%f', acceptance_checked_at, '-${hours} hours')`,
    )
    .run();
  sqlite.close();
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mca-bench-sync-'));
  const stateFile = join(dataDir, 'partner-center-sandbox.json');
  // A third accepted directly, a tenth attested before the app (every tenth of those before the 2023 refresh),
  // written to the sandbox's state at once.
  const state = new SandboxState(stateFile);
  for (let i = 0; i < customers; i++) {
    state.customers().push({
      id: randomUUID(),
      companyName: `Bench Customer ${i}`,
      domain: `benchcustomer${i}.onmicrosoft.com`,
      directlySigned: i % 3 === 0,
      agreements:
        i % 10 === 5
          ? [
              {
                templateId: MCA_TEMPLATE_ID,
                dateAgreed: new Date(Date.UTC(i % 100 === 5 ? 2022 : 2025, 0, 1)).toISOString(),
                primaryContact: { firstName: 'Bench', lastName: `Signer ${i}`, email: `signer${i}@bench.test` },
                attestationId: null,
              },
            ]
          : [],
    });
  }
  state.save();
  const sandbox = new PartnerCenterSandbox({ stateFile, port: await freePort() });
  await sandbox.start();
  const port = await freePort();
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
  if (db === 'postgres') await freshPostgresDatabase(databaseUrl);
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
  try {
    const cookie = await setUp(app.url, benchUser(1));
    const load = loadAverage();
    const first = await syncOnce(app, cookie, sandbox);
    const again = await syncOnce(app, cookie, sandbox);
    // Thirteen hours on: the accepted tenants whose daily re-check has come (each at its own hour) are read too.
    await ageChecks(db === 'postgres' ? databaseUrl : join(dataDir, 'mca-manager.sqlite'), 13);
    const later = await syncOnce(app, cookie, sandbox);
    const runs = [
      ['First sync (every customer new)', first],
      ['Steady state (the same data, at once)', again],
      ['Steady state, 13 hours after the last checks', later],
    ] as const;
    console.log(
      `Sync of ${(customers + 40).toLocaleString('en-GB')} customers, ${db}, ${cpus().length} cores, load ${load.toFixed(1)}, ${new Date().toISOString()}`,
    );
    for (const [name, run] of runs) {
      const total = run.calls.reduce((sum, [, count]) => sum + count, 0);
      console.log(
        `  ${name}: ${run.failed ? 'FAILED, ' : ''}${seconds(run.wall)} wall, app CPU ${seconds(run.cpu)}, ${total.toLocaleString('en-GB')} calls to Partner Center`,
      );
      for (const [route, count] of run.calls) console.log(`    ${String(count).padStart(7)}  ${route}`);
    }
    console.log(`  Peak RSS of the app: ${peakRssMb(app.pid).toFixed(0)} MB`);
  } finally {
    await stopServer(app);
    await sandbox.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
