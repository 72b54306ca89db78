import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { MCA_TEMPLATE_ID } from '../src/partner-center/sandbox/sandbox-seed';
import { SandboxState } from '../src/partner-center/sandbox/sandbox-state';
import { DIST, freePort, setUp, benchUser, startServer, stopServer, type Server } from './app-process';
import { freshPostgresDatabase } from './postgres-database';
import { DEFAULT_BENCH_DATABASE_URL } from './options';
import { cpuMs, loadAverage, peakRssMb } from './proc-stats';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process';
import {
  DEFAULT_STALL_RATE,
  loopDelaysUntil,
  loopLine,
  measureStalls,
  quietPeriod,
  stallLines,
  stallVerdict,
  startSync,
  syncFailed,
  warmUp,
} from './sync-contention';

// Issue 18: what a sync that reads every customer's acceptance (direct status and partner agreements, both App+User)
// costs at 10,000 customers, the first time and when nothing changed, in calls to Partner Center, wall time and the
// app's CPU; issue 25: the same at 100,000, with the app's peak RSS, and (--stalls) what users see meanwhile. The
// sandbox runs in a process of its own (bench/sandbox-process.ts), which counts every call the app makes.
const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: process.env.BENCH_SYNC_CUSTOMERS ?? '10000' },
    db: { type: 'string', default: process.env.BENCH_DB ?? 'sqlite' },
    syncs: { type: 'string', default: '3' },
    stalls: { type: 'boolean', default: false },
    'stall-rate': { type: 'string', default: String(DEFAULT_STALL_RATE) },
  },
});
const customers = Number(values.customers);
const db = values.db === 'postgres' ? 'postgres' : 'sqlite';
// 1: the first sync only; 2: and the same data at once; 3: and thirteen hours on.
const syncs = Math.min(3, Math.max(1, Number(values.syncs) || 3));
const stallRate = Number(values['stall-rate']) || DEFAULT_STALL_RATE;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// One sync from start to end; `during` measures whatever runs meanwhile, given the sync's end.
async function syncOnce(
  app: Server,
  cookie: string,
  sandbox: SandboxProcess,
  during?: (finished: Promise<string>) => Promise<string[]>,
) {
  const before = await sandbox.callCounts();
  const [cpuBefore, sandboxCpuBefore] = [cpuMs(app.pid), cpuMs(sandbox.pid)];
  const started = performance.now();
  const finished = startSync(app.url, cookie);
  // The event loop is read in every sync, with or without other load (without it, a late turn is the sync's own);
  // `during` reads it itself: two readers would each see part of the longest delay, which each scrape resets.
  const [status, stalls, loop] = await Promise.all([
    finished,
    during?.(finished) ?? [],
    during ? null : loopDelaysUntil(app.url, finished),
  ]);
  const wall = performance.now() - started;
  const calls = [...(await sandbox.callCounts())].map(
    ([route, count]) => [route, count - (before.get(route) ?? 0)] as const,
  );
  return {
    failed: syncFailed(status),
    wall,
    cpu: cpuMs(app.pid) - cpuBefore,
    sandboxCpu: cpuMs(sandbox.pid) - sandboxCpuBefore,
    calls: calls.filter(([, count]) => count > 0),
    stalls,
    loop,
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
  const sandbox = await startSandboxProcess(stateFile, await freePort());
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
    let quiet: string[] = [];
    if (values.stalls) {
      await warmUp(app.url, cookie);
      quiet = stallLines('Without a sync', stallRate, await measureStalls(app.url, cookie, stallRate, quietPeriod()));
    }
    const first = await syncOnce(
      app,
      cookie,
      sandbox,
      values.stalls
        ? async (finished) => {
            const during = await measureStalls(app.url, cookie, stallRate, finished);
            return [...stallLines('During the first sync', stallRate, during), stallVerdict(during)];
          }
        : undefined,
    );
    const runs: [string, Awaited<ReturnType<typeof syncOnce>>][] = [['First sync (every customer new)', first]];
    if (syncs > 1) runs.push(['Steady state (the same data, at once)', await syncOnce(app, cookie, sandbox)]);
    if (syncs > 2) {
      // Thirteen hours on: the accepted tenants whose daily re-check has come (each at its own hour) are read too.
      await ageChecks(db === 'postgres' ? databaseUrl : join(dataDir, 'mca-manager.sqlite'), 13);
      runs.push(['Steady state, 13 hours after the last checks', await syncOnce(app, cookie, sandbox)]);
    }
    console.log(
      `Sync of ${(customers + 40).toLocaleString('en-GB')} customers, ${db}, ${cpus().length} cores, load ${load.toFixed(1)} at the start and ${loadAverage().toFixed(1)} at the end, ${new Date().toISOString()}`,
    );
    for (const [name, run] of runs) {
      const total = run.calls.reduce((sum, [, count]) => sum + count, 0);
      console.log(
        `  ${name}: ${run.failed ? 'FAILED, ' : ''}${seconds(run.wall)} wall, app CPU ${seconds(run.cpu)} (the sandbox's ${seconds(run.sandboxCpu)}), ${total.toLocaleString('en-GB')} calls to Partner Center`,
      );
      for (const [route, count] of run.calls) console.log(`    ${String(count).padStart(7)}  ${route}`);
      if (!run.stalls.length) console.log(`  ${loopLine(run.loop)}`);
    }
    console.log(`  Peak RSS of the app: ${peakRssMb(app.pid).toFixed(0)} MB`);
    for (const line of [...quiet, ...first.stalls]) console.log(`  ${line}`);
  } finally {
    await stopServer(app);
    await sandbox.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
