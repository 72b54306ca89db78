import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { hashApiToken } from '../src/api-tokens/api-tokens.service';
import {
  DIST,
  benchUser,
  createBrokerUser,
  freePort,
  setUp,
  signIn,
  startServer,
  stopServer,
  type Server,
} from './app-process';
import { closedLoop, openLoop } from './load';
import { parseOptions, type BenchOptions } from './options';
import {
  rateFigures,
  table,
  targets,
  variantFigures,
  type ClosedRun,
  type RateFigures,
  type ServerName,
  type VariantFigures,
} from './page-figures';
import { freshPostgresDatabase } from './postgres-database';
import { cpuMs, peakRssMb, withLoad } from './proc-stats';
import { seedTenants, seedTenantsPostgres } from './seed-tenants';
import { addSandboxCustomers, measureDuringSync } from './sync-contention';
import { variants, type Variant } from './variants';

// npm run bench -- [--db sqlite|postgres] [--brokers 5] [--tenants 100000] ... (npm run bench -- --help): seeds
// several brokers, measures the last one's MCA page on the app (node dist/main.js) and on a bare node:http server
// doing the same reads and rendering, interleaved (app, bare, bare, app; every round), closed-loop for throughput
// and server CPU per request, open-loop at fixed rates for latency. Prints one table and writes it as JSON.
const SQLITE_FILE = 'mca-manager.sqlite';

// The database under the bench: what differs between SQLite and PostgreSQL for seeding and clearing it.
interface BenchDatabase {
  env: NodeJS.ProcessEnv; // DATABASE_URL for the app
  bareDatabase: string;
  brokerIds(): Promise<number[]>;
  deleteTenants(): Promise<void>;
  seed(brokerIds: number[], count: number): Promise<void>;
  // A read token of the broker, stored as the API access page stores one (its hash); the app is stopped meanwhile.
  addApiToken(brokerId: number, token: string): Promise<void>;
}

const API_TOKEN_INSERT =
  "INSERT INTO api_tokens (broker_id, name, scope, token_hash, token_prefix) VALUES ($1, 'Bench', 'read', $2, $3)";
const benchApiToken = (): string => `mcam_${randomBytes(32).toString('base64url')}`;

async function openBenchDatabase(options: BenchOptions, dataDir: string): Promise<BenchDatabase> {
  if (options.db === 'postgres') {
    await freshPostgresDatabase(options.databaseUrl);
    const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
      const client = new Client({ connectionString: options.databaseUrl });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    };
    return {
      env: { DATABASE_URL: options.databaseUrl },
      bareDatabase: options.databaseUrl,
      brokerIds: async () => (await query<{ id: number }>('SELECT id FROM brokers ORDER BY id')).map((r) => r.id),
      deleteTenants: async () => void (await query('DELETE FROM tenants')),
      seed: (brokerIds, count) => seedTenantsPostgres(options.databaseUrl, brokerIds, count),
      addApiToken: async (brokerId, token) =>
        void (await query(API_TOKEN_INSERT, [brokerId, hashApiToken(token), token.slice(0, 12)])),
    };
  }
  const file = join(dataDir, SQLITE_FILE);
  const withDb = <T>(work: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    env: { DATABASE_URL: undefined },
    bareDatabase: file,
    brokerIds: () =>
      Promise.resolve(withDb((db) => db.prepare('SELECT id FROM brokers ORDER BY id').pluck().all() as number[])),
    deleteTenants: () => Promise.resolve(void withDb((db) => db.exec('DELETE FROM tenants'))),
    seed: (brokerIds, count) => Promise.resolve(seedTenants(file, brokerIds, count)),
    addApiToken: (brokerId, token) =>
      Promise.resolve(
        void withDb((db) =>
          db.prepare(API_TOKEN_INSERT.replace(/\$\d/g, '?')).run(brokerId, hashApiToken(token), token.slice(0, 12)),
        ),
      ),
  };
}

async function nextLink(server: Server, path: string, cookie: string): Promise<string> {
  const html = await (await fetch(server.url + path, { headers: { cookie } })).text();
  const href = /id="page-next" href="([^"]+)"/.exec(html)?.[1];
  if (!href) throw new Error(`No Next link on ${path}`);
  return href.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

async function measureVariant(
  options: BenchOptions,
  variant: Variant,
  servers: Record<ServerName, Server>,
  credentials: { cookie: string; apiToken: string },
): Promise<VariantFigures> {
  const { cookie } = credentials;
  const headers: Record<string, string> = variant.api
    ? { authorization: `Bearer ${credentials.apiToken}` }
    : { cookie, ...(variant.htmx ? { 'HX-Request': 'true' } : {}) };
  const path = variant.next ? await nextLink(servers.bare, variant.path, cookie) : variant.path;
  for (const server of ['app', 'bare'] as const) {
    const check = await fetch(servers[server].url + path, { headers, redirect: 'manual' });
    if (check.status !== 200) throw new Error(`${server} answered ${variant.path} with ${check.status}`);
    await closedLoop(servers[server].url + path, headers, options.connections, 1); // warm-up
  }
  const runs: ClosedRun[] = [];
  const latencies: Record<ServerName, Record<number, { all: number[]; errors: number }>> = { app: {}, bare: {} };
  for (let round = 1; round <= options.rounds; round++) {
    for (const server of ['app', 'bare', 'bare', 'app'] as const) {
      const { pid, url } = servers[server];
      const before = cpuMs(pid);
      const { result, load } = await withLoad(() =>
        closedLoop(url + path, headers, options.connections, options.seconds),
      );
      const cpu = cpuMs(pid) - before;
      runs.push({
        server,
        round,
        requestsPerSecond: result.requestsPerSecond,
        requests: result.requests,
        errors: result.errors,
        cpuMsPerRequest: result.requests > 0 ? cpu / result.requests : NaN, // none answered: no figure
        load,
      });
    }
    // The fixed-rate runs alternate which server goes first from one round to the next.
    for (const rate of options.rates) {
      for (const server of round % 2 ? (['app', 'bare'] as const) : (['bare', 'app'] as const)) {
        const { result, load } = await withLoad(() =>
          openLoop(servers[server].url + path, headers, rate, options.rateSeconds),
        );
        const pooled = (latencies[server][rate] ??= { all: [], errors: 0 });
        pooled.all.push(...result.latencies);
        pooled.errors += result.errors;
        runs.find((run) => run.server === server && run.round === round)!.load = Math.max(
          load,
          runs.find((run) => run.server === server && run.round === round)!.load,
        );
      }
    }
  }
  const rates = (server: ServerName): RateFigures[] =>
    options.rates.map((rate) => rateFigures(rate, latencies[server][rate].all, latencies[server][rate].errors));
  return variantFigures(variant, runs, { app: rates('app'), bare: rates('bare') });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dataDir = mkdtempSync(join(tmpdir(), 'mca-bench-'));
  const started = new Date();
  const servers: Server[] = [];
  let failed = true;
  try {
    const database = await openBenchDatabase(options, dataDir);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      APP_SECRET: randomBytes(48).toString('base64url'),
      PORT: String(port),
      SANDBOX_PORT: '0',
      SYNC_INTERVAL_MINUTES: '0',
      NODE_ENV: 'production',
      // The API's per-token limit would refuse most of a run at 300 requests/s.
      API_RATE_LIMIT_PER_MINUTE: '10000000',
      ...database.env,
    };
    // The app's default log level (info: a JSON line per request), for the app and the bare server alike.
    delete env.LOG_LEVEL;
    if (!env.DATABASE_URL) delete env.DATABASE_URL;
    const start = (script: string, extra: NodeJS.ProcessEnv, serverPort: number, log: string) =>
      startServer(script, [], { ...env, ...extra }, serverPort, join(dataDir, log), dataDir).then((server) => {
        servers.push(server);
        return server;
      });

    console.log(`MCA page bench on ${options.db}, ${cpus().length} cores; work files in ${dataDir}`);
    if (options.syncCustomers > 0) addSandboxCustomers(dataDir, options.syncCustomers);
    let app = await start(join(DIST, 'main.js'), {}, port, 'app.log');
    const firstCookie = await setUp(app.url, benchUser(1));

    let sync: string[] = [];
    if (options.syncCustomers > 0) {
      console.log(`\nA sync of ${options.syncCustomers.toLocaleString('en-GB')} new customers from the sandbox:`);
      sync = await measureDuringSync(app.url, firstCookie);
      for (const line of sync) console.log(`  ${line}`);
      await database.deleteTenants(); // the page runs measure the seeded tenants alone
    }

    await stopServer(app);
    for (let broker = 2; broker <= options.brokers; broker++) await createBrokerUser(env, dataDir, benchUser(broker));
    const brokerIds = await database.brokerIds();
    const seeding = performance.now();
    await database.seed(brokerIds, options.tenants);
    const apiToken = benchApiToken();
    await database.addApiToken(brokerIds[brokerIds.length - 1], apiToken);
    const seeded = `Seeded ${brokerIds.length} brokers × ${options.tenants.toLocaleString('en-GB')} tenants in ${seconds(seeding)}.`;
    console.log(`\n${seeded}`);

    app = await start(join(DIST, 'main.js'), {}, port, 'app.log');
    const cookie = await signIn(app.url, benchUser(options.brokers));
    const barePort = await freePort();
    const bare = await start(
      join(__dirname, 'bare-server.js'),
      { BARE_DATABASE: database.bareDatabase, PORT: String(barePort) },
      barePort,
      'bare.log',
    );

    const all = variants(options.tenants);
    const figures: VariantFigures[] = [];
    console.log(
      `\nThe last broker's page; per variant ${options.rounds} rounds of app, bare, bare, app (${options.connections} connections, ${options.seconds} s each), then ${options.rates.join(' and ')} req/s for ${options.rateSeconds} s each:`,
    );
    for (const name of options.variants) {
      const variantStart = performance.now();
      const result = await measureVariant(options, all[name], { app, bare }, { cookie, apiToken });
      figures.push(result);
      console.log(
        `  ${name.padEnd(14)} app ${result.app.requestsPerSecond.median.toFixed(0).padStart(5)} req/s, bare ${result.bare.requestsPerSecond.median.toFixed(0).padStart(5)} req/s (${seconds(variantStart)})`,
      );
    }
    const appRss = peakRssMb(app.pid);
    const bareRss = peakRssMb(bare.pid);

    const lines = [
      `MCA page, ${options.db}, ${brokerIds.length} brokers × ${options.tenants.toLocaleString('en-GB')} tenants (the last broker measured), ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${started.toISOString()}`,
      `Closed loop: ${options.rounds} rounds of app, bare, bare, app, ${options.connections} connections, ${options.seconds} s each; CPU ms/req from /proc/<pid>/stat of each server.`,
      `Open loop: ${options.rates.join(', ')} req/s, ${options.rateSeconds} s per server and round, latency from each request's due time, rounds pooled.`,
      'Both servers log a JSON line per request at info (the app by pino-http). The bare server leaves out helmet, Express and Nest (router, guards, interceptors), the once-a-minute session renewal and flash messages; both read the query string with parseMcaQuery.',
      "The API variant asks GET /api/v1/tenants (a page of 50) with a read token: the app authenticates it, checks the query's DTO and counts it against the token's rate limit; the bare server looks the token up by its hash and does the same reads and JSON.",
      '',
      ...table(figures, options.rates),
      '',
      `Peak RSS (VmHWM): app ${appRss.toFixed(0)} MB, bare ${bareRss.toFixed(0)} MB. ${seeded}`,
    ];
    const goals = targets(figures, appRss);
    console.log(`\n${lines.join('\n')}\n\nTargets (issue 12):`);
    for (const goal of goals) console.log(`  ${goal.met ? 'met    ' : 'NOT met'}  ${goal.what}: ${goal.figure}`);
    if (sync.length > 0) console.log(`\nDuring the sync (measured first):\n${sync.map((l) => `  ${l}`).join('\n')}`);

    mkdirSync(dirname(options.json), { recursive: true });
    const { databaseUrl: _url, ...shown } = options;
    writeFileSync(
      options.json,
      `${JSON.stringify({ started, options: shown, machine: { cores: cpus().length, model: cpus()[0]?.model }, seeded, sync, peakRssMb: { app: appRss, bare: bareRss }, targets: goals, variants: figures, table: lines }, null, 2)}\n`,
    );
    console.log(`\nWritten to ${options.json}`);
    failed = false;
  } finally {
    for (const server of servers) await stopServer(server);
    // The servers' logs stay for a look when the run failed.
    if (failed) console.error(`The servers' logs are in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  // Keep-alive sockets of the load generators must not hold the process open.
  .finally(() => process.exit());
