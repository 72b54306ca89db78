import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
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
  SETTLE_TOLERANCE,
  SETTLE_WINDOW,
  brokerFigures,
  cpuPerRequest,
  rateFigures,
  scaleRatio,
  scaleTable,
  settled,
  summary,
  table,
  targets,
  tenantsLabel,
  warmUpLine,
  type ClosedRun,
  type OpenRun,
  type RateFigures,
  type ServerName,
  type VariantFigures,
  type WarmUp,
} from './page-figures';
import { freshPostgresDatabase } from './postgres-database';
import { allCpus, cpuMsBetween, cpuMsByPid, cpuMsWhenIdle, peakRssMb, pinToCpus, withLoad } from './proc-stats';
import { seedTenants, seedTenantsPostgres } from './seed-tenants';
import { addSandboxCustomers, measureDuringSync } from './sync-contention';
import { variants, type Variant, type VariantName } from './variants';

// npm run bench -- [--db sqlite|postgres] [--brokers 5] [--tenants 100000] [--large-tenants 1000000] ... (npm run
// bench -- --help): seeds several brokers, measures the last one's MCA page (with --large-tenants, the large last
// broker's and the one before it, interleaved) on the app (node dist/main.js) and on a bare node:http server doing
// the same reads and rendering: each server warmed until its CPU per request settles, then rounds that run every
// server on every measured broker and back in reverse, closed-loop for throughput and server CPU per request,
// open-loop at fixed rates for latency. Prints the tables with the spread of every ratio over the rounds, each
// target met, NOT met or inconclusive, and writes them as JSON.
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
  // PostgreSQL: the CPU time of the database's client backends by pid (the servers' pools), as the work of a query
  // is done there and not in the server's own process; SQLite runs inside the server, so has none.
  backendCpu?: () => Promise<Map<number, number>>;
  close(): Promise<void>;
}

// The client backends of the database but the one asking.
const BACKENDS =
  "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()";

const API_TOKEN_INSERT =
  "INSERT INTO api_tokens (broker_id, name, scope, token_hash, token_prefix) VALUES ($1, 'Bench', 'read', $2, $3)";
const benchApiToken = (): string => `mcam_${randomBytes(32).toString('base64url')}`;

async function openBenchDatabase(options: BenchOptions, dataDir: string): Promise<BenchDatabase> {
  if (options.db === 'postgres') {
    await freshPostgresDatabase(options.databaseUrl);
    // One connection kept for the readings of the backends' CPU during the runs, opened at the first.
    let watcher: Promise<Client> | undefined;
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
      backendCpu: async () => {
        watcher ??= (async () => {
          const client = new Client({ connectionString: options.databaseUrl });
          await client.connect();
          return client;
        })();
        return cpuMsByPid((await (await watcher).query<{ pid: number }>(BACKENDS)).rows.map((row) => row.pid));
      },
      close: async () => void (watcher && (await (await watcher).end())),
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
    close: () => Promise.resolve(),
  };
}

async function nextLink(appUrl: string, path: string, cookie: string): Promise<string> {
  const html = await (await fetch(appUrl + path, { headers: { cookie } })).text();
  const href = /id="page-next" href="([^"]+)"/.exec(html)?.[1];
  if (!href) throw new Error(`No Next link on ${path}`);
  return href.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
}

const brokersLabel = (count: number) => `${count} broker${count === 1 ? '' : 's'}`;
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

// A broker whose page is measured: its admin's session and its read token.
interface MeasuredBroker {
  tenants: number;
  cookie: string;
  apiToken: string;
}

// One server asked one broker's page of one variant.
interface Subject {
  server: ServerName;
  tenants: number;
  pid: number;
  url: string;
  headers: Record<string, string>;
}

const WARM_RUN_SECONDS = 1;

// A closed-loop run of one subject: its throughput and the server's CPU per request. The run starts and ends with
// the server idle, and the requests still in flight when the load stopped count with their CPU time: else each
// run would charge up to `connections` half-served requests to the others, more in a short run or a slow one.
// The database's backends are read after the server is idle, so their share of the run is done too.
async function closedRun(
  subject: Subject,
  connections: number,
  runSeconds: number,
  backendCpu?: () => Promise<Map<number, number>>,
) {
  const before = await cpuMsWhenIdle(subject.pid);
  const backendsBefore = await backendCpu?.();
  const { result, load } = await withLoad(() => closedLoop(subject.url, subject.headers, connections, runSeconds));
  const cpu = (await cpuMsWhenIdle(subject.pid)) - before;
  const dbCpu = backendsBefore && cpuMsBetween(backendsBefore, await backendCpu!());
  const served = result.requests + result.inFlight;
  return { result, load, cpu, dbCpu, served, cpuMsPerRequest: served > 0 ? cpu / served : NaN };
}

// Short runs until the server's CPU per request settles (or the cap): the first requests after a start, or on a
// page the server has not served yet, are dearer than the rest.
async function warmUntilSettled(options: BenchOptions, subject: Subject): Promise<WarmUp> {
  const started = performance.now();
  const values: number[] = [];
  while (!settled(values) && performance.now() - started < options.warmMaxSeconds * 1000)
    values.push((await closedRun(subject, options.connections, WARM_RUN_SECONDS)).cpuMsPerRequest);
  return {
    server: subject.server,
    tenants: subject.tenants,
    seconds: (performance.now() - started) / 1000,
    settled: settled(values),
    cpuMsPerRequest: values,
  };
}

// Where the processes run. For CPU per request (the warm-up and the closed loops) the load generator has the first
// CPU and both servers the second; the database's backends stay where the scheduler puts them. For latency (the open
// loops) every process may run on every CPU, as a server does in production: with all of the app's threads (its
// garbage collector's among them) on one core, a common search's p95 at 100 requests/s was 98-128 ms in every round
// though the app had CPU to spare, and 7.2-13.6 ms with both cores free (SQLite, "onmicrosoft", 1,000,000 tenants).
interface Placement {
  forCpu(): boolean;
  forLatency(): void;
}

function pinnedForCpu([bench, ...servers]: number[]): Placement {
  return {
    forCpu: () => [pinToCpus(bench, '0'), ...servers.map((pid) => pinToCpus(pid, '1'))].every(Boolean),
    forLatency: () => [bench, ...servers].forEach((pid) => pinToCpus(pid, allCpus())),
  };
}

async function measureVariant(
  options: BenchOptions,
  name: VariantName,
  servers: Record<ServerName, Server>,
  brokers: MeasuredBroker[],
  placement: Placement,
  backendCpu?: () => Promise<Map<number, number>>,
): Promise<VariantFigures> {
  const subjects: Subject[] = [];
  const variantOf = (tenants: number): Variant => variants(tenants)[name];
  for (const broker of brokers) {
    const variant = variantOf(broker.tenants);
    const headers: Record<string, string> = variant.api
      ? { authorization: `Bearer ${broker.apiToken}` }
      : { cookie: broker.cookie, ...(variant.htmx ? { 'HX-Request': 'true' } : {}) };
    const path = variant.next ? await nextLink(servers.bare.url, variant.path, broker.cookie) : variant.path;
    for (const server of ['app', 'bare'] as const)
      subjects.push({
        server,
        tenants: broker.tenants,
        pid: servers[server].pid,
        url: servers[server].url + path,
        headers,
      });
  }
  const warmUps: WarmUp[] = [];
  for (const subject of subjects) {
    const check = await fetch(subject.url, { headers: subject.headers, redirect: 'manual' });
    if (check.status !== 200) throw new Error(`${subject.server} answered ${subject.url} with ${check.status}`);
    warmUps.push(await warmUntilSettled(options, subject));
  }
  const runs: ClosedRun[] = [];
  const open = new Map<Subject, Map<number, OpenRun[]>>(subjects.map((subject) => [subject, new Map()]));
  // Every subject, then every subject again in reverse, `alternations` times: each pair of figures that a ratio
  // compares (app and bare on a broker, the app on two brokers) is taken symmetrically about each cycle's middle,
  // and in short runs spread over the whole round, so that a drift of the machine during the round weighs on both
  // alike. On a shared 2-core host the same server's CPU per request moved 10-30% between 3 s runs a few seconds
  // apart: few long runs let that decide a round's ratio.
  const cycle = [...subjects, ...[...subjects].reverse()];
  const order = Array.from({ length: options.alternations }, () => cycle).flat();
  for (let round = 1; round <= options.rounds; round++) {
    for (const subject of order) {
      const { result, load, cpu, dbCpu, served, cpuMsPerRequest } = await closedRun(
        subject,
        options.connections,
        options.seconds,
        backendCpu,
      );
      runs.push({
        server: subject.server,
        tenants: subject.tenants,
        round,
        requestsPerSecond: result.requestsPerSecond,
        requests: served,
        errors: result.errors,
        cpuMs: cpu,
        cpuMsPerRequest,
        ...(dbCpu === undefined ? {} : { dbCpuMs: dbCpu }),
        load,
      });
    }
    // The fixed-rate runs alternate which subject goes first from one round to the next.
    placement.forLatency();
    for (const rate of options.rates)
      for (const subject of round % 2 ? subjects : [...subjects].reverse()) {
        const { result, load } = await withLoad(() =>
          openLoop(subject.url, subject.headers, rate, options.rateSeconds),
        );
        const rounds = open.get(subject)!;
        rounds.set(rate, [...(rounds.get(rate) ?? []), { latencies: result.latencies, errors: result.errors }]);
        for (const run of runs)
          if (run.server === subject.server && run.tenants === subject.tenants && run.round === round)
            run.load = Math.max(run.load, load);
      }
    placement.forCpu();
  }
  const ratesOf = (server: ServerName, tenants: number): RateFigures[] => {
    const rounds = open.get(subjects.find((s) => s.server === server && s.tenants === tenants)!)!;
    return options.rates.map((rate) => rateFigures(rate, rounds.get(rate)!));
  };
  return {
    name,
    brokers: brokers.map((broker) =>
      brokerFigures(variantOf(broker.tenants), broker.tenants, runs, {
        app: ratesOf('app', broker.tenants),
        bare: ratesOf('bare', broker.tenants),
      }),
    ),
    scaleCpuRatio: scaleRatio(runs),
    scaleAppCpuRatio: scaleRatio(runs, cpuPerRequest),
    warmUps,
    runs,
  };
}

// The date, the machine and how busy it is: figures mean little without them.
const machine = (): string =>
  `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const loadNow = (): string =>
  `load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ')} (1 / 5 / 15 min)`;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dataDir = mkdtempSync(join(tmpdir(), 'mca-bench-'));
  const started = new Date();
  const loadAtStart = loadNow();
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
      // The API's per-token limit would refuse most of a run at 300 requests/s; this is the highest it takes.
      API_RATE_LIMIT_PER_MINUTE: '1000000',
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

    console.log(`MCA page bench on ${options.db}, ${started.toISOString()}, ${machine()}, ${loadAtStart}`);
    console.log(`Work files in ${dataDir}`);
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
    // The last broker is measured; with --large-tenants it is the large one, and the one before it is measured too.
    const measuredNumbers = options.largeTenants > 0 ? [brokerIds.length - 1, brokerIds.length] : [brokerIds.length];
    const tenantsOf = (number: number) =>
      options.largeTenants > 0 && number === brokerIds.length ? options.largeTenants : options.tenants;
    const seeding = performance.now();
    if (options.largeTenants > 0) {
      await database.seed(brokerIds.slice(0, -1), options.tenants);
      await database.seed(brokerIds.slice(-1), options.largeTenants);
    } else await database.seed(brokerIds, options.tenants);
    const apiTokens = measuredNumbers.map(() => benchApiToken());
    for (const [i, number] of measuredNumbers.entries())
      await database.addApiToken(brokerIds[number - 1], apiTokens[i]);
    const layout =
      options.largeTenants > 0
        ? `${brokersLabel(brokerIds.length - 1)} × ${tenantsLabel(options.tenants)} tenants and 1 × ${tenantsLabel(options.largeTenants)}`
        : `${brokersLabel(brokerIds.length)} × ${tenantsLabel(options.tenants)} tenants`;
    const seeded = `Seeded ${layout} in ${seconds(seeding)}.`;
    console.log(`\n${seeded}`);

    app = await start(join(DIST, 'main.js'), {}, port, 'app.log');
    const brokers: MeasuredBroker[] = [];
    for (const [i, number] of measuredNumbers.entries())
      brokers.push({
        tenants: tenantsOf(number),
        cookie: await signIn(app.url, benchUser(number)),
        apiToken: apiTokens[i],
      });
    const barePort = await freePort();
    const bare = await start(
      join(__dirname, 'bare-server.js'),
      { BARE_DATABASE: database.bareDatabase, PORT: String(barePort) },
      barePort,
      'bare.log',
    );
    const placement = pinnedForCpu([process.pid, app.pid, bare.pid]);
    const pinned = placement.forCpu();

    const figures: VariantFigures[] = [];
    const measuredLabel = brokers.map((broker) => tenantsLabel(broker.tenants)).join(' and ');
    const roundOrder = brokers
      .flatMap((broker) => [`app@${tenantsLabel(broker.tenants)}`, `bare@${tenantsLabel(broker.tenants)}`])
      .join(', ');
    console.log(
      `\nThe page of the broker${brokers.length > 1 ? 's' : ''} of ${measuredLabel} tenants; per variant each server warmed until its CPU/request settles (${WARM_RUN_SECONDS} s runs, at most ${options.warmMaxSeconds} s), then ${options.rounds} rounds of ${roundOrder} and back in reverse, ${options.alternations} times (${options.connections} connections, ${options.seconds} s each), then ${options.rates.join(' and ')} req/s for ${options.rateSeconds} s each${pinned ? '; the servers on CPU 1 and the load generator on CPU 0 for the closed loops, every process on every CPU for the fixed rates' : ''}:`,
    );
    for (const name of options.variants) {
      const variantStart = performance.now();
      const result = await measureVariant(options, name, { app, bare }, brokers, placement, database.backendCpu);
      figures.push(result);
      const perBroker = result.brokers
        .map(
          (b) =>
            `@${tenantsLabel(b.tenants)} app ${b.app.requestsPerSecond.median.toFixed(0)} req/s, bare ${b.bare.requestsPerSecond.median.toFixed(0)} req/s`,
        )
        .join('; ');
      const scale = result.scaleCpuRatio
        ? `; ${result.brokers[0].app.dbCpuMsPerRequest ? 'app and database' : 'app'} CPU large/small ${result.scaleCpuRatio.median.toFixed(2)}x (${result.scaleCpuRatio.min.toFixed(2)}–${result.scaleCpuRatio.max.toFixed(2)}x)`
        : '';
      console.log(`  ${name.padEnd(14)} ${perBroker}${scale} (${seconds(variantStart)})`);
      console.log(`  ${''.padEnd(14)} warm-up: ${warmUpLine(result.warmUps)}`);
    }
    await database.close();
    const appRss = peakRssMb(app.pid);
    const bareRss = peakRssMb(bare.pid);
    const finished = new Date();
    const scale = scaleTable(figures);

    const lines = [
      `MCA page, ${options.db}, ${layout} (measured: ${measuredLabel}), ${machine()}, ${started.toISOString()} to ${finished.toISOString()}; at the start ${loadAtStart}, at the end ${loadNow()}`,
      `Warm-up: each server on each variant and broker, ${WARM_RUN_SECONDS} s closed-loop runs until the last ${SETTLE_WINDOW} CPU/request lie within ${SETTLE_TOLERANCE * 100}% (at most ${options.warmMaxSeconds} s).`,
      `Closed loop: ${options.rounds} rounds of ${roundOrder} and back in reverse, ${options.alternations} times, ${options.connections} connections, ${options.seconds} s each; CPU ms/req from /proc/<pid>/stat of each server${pinned ? '; the servers pinned to CPU 1 and the load generator to CPU 0 (taskset)' : ''}.`,
      `Open loop: ${options.rates.join(', ')} req/s, ${options.rateSeconds} s per server, broker and round, latency from each request's due time, rounds pooled (and each round's p95)${pinned ? '; every process free to run on every CPU' : ''}.`,
      "Each figure is the median (min–max) over the runs; each ratio's over the rounds (a round's runs against the same round's). A target is met when the whole spread is within it, NOT met when none is, inconclusive otherwise.",
      'Both servers log a JSON line per request at info (the app by pino-http). The bare server leaves out helmet, Express and Nest (router, guards, interceptors), the once-a-minute session renewal and flash messages; both read the query string with parseMcaQuery.',
      "The API variant asks GET /api/v1/tenants (a page of 50) with a read token: the app authenticates it, checks the query's DTO and counts it against the token's rate limit; the bare server looks the token up by its hash and does the same reads and JSON.",
      '',
      ...table(figures, options.rates),
      ...(scale.length > 0
        ? [
            '',
            `The app's CPU per request on the large broker against the smaller${options.db === 'postgres' ? ", with PostgreSQL's for the app's requests (its backends' CPU while only the app was asking)" : ''}:`,
            '',
            ...scale,
          ]
        : []),
      '',
      `Peak RSS (VmHWM): app ${appRss.toFixed(0)} MB, bare ${bareRss.toFixed(0)} MB. ${seeded}`,
    ];
    const goals = targets(figures, appRss);
    const verdict = summary(goals);
    console.log(`\n${lines.join('\n')}\n\nTargets (issues 12 and 25):`);
    for (const goal of goals) console.log(`  ${goal.verdict.padEnd(12)}  ${goal.what}: ${goal.figure}`);
    console.log(`\n${verdict}`);
    if (sync.length > 0) console.log(`\nDuring the sync (measured first):\n${sync.map((l) => `  ${l}`).join('\n')}`);

    mkdirSync(dirname(options.json), { recursive: true });
    const { databaseUrl: _url, ...shown } = options;
    writeFileSync(
      options.json,
      `${JSON.stringify({ started, finished, options: shown, machine: { cores: cpus().length, model: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version }, load: { start: loadAtStart, end: loadNow() }, seeded, sync, peakRssMb: { app: appRss, bare: bareRss }, targets: goals, conclusive: !goals.some((goal) => goal.verdict === 'inconclusive'), summary: verdict, variants: figures, table: lines }, null, 2)}\n`,
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
