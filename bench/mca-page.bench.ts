import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { seedTenants } from './seed-tenants';

// npm run bench [-- tenants]: seeds a fresh SQLite database, starts the app and a bare node:http server doing the
// same essential work, and measures the MCA page under 25 connections. BENCH_SECONDS sets each run's length.
const TENANTS = Number(process.argv[2] ?? process.env.BENCH_TENANTS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 25;
// Built to dist-bench/bench/ (tsc -p bench); the app itself is nest's build in dist/.
const APP_MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

// `next`: the scenario is the page its Next link leads to (carrying a keyset cursor), found on the bare server.
const SCENARIOS: { name: string; path: string; next?: boolean }[] = [
  { name: 'unfiltered', path: '/mca' },
  { name: 'filtered (No acceptance provided)', path: '/mca?status=none' },
  { name: 'searched ("wingtip", 3% of tenants)', path: '/mca?q=wingtip' },
  { name: 'searched ("wingtip labs", 0.07%)', path: '/mca?q=wingtip+labs' },
  { name: 'deep page (2,000 of 4,000)', path: '/mca?page=2000' },
  { name: 'fragment, filtered + searched + sorted', path: '/mca?status=direct&q=berlin&sort=date' },
  { name: 'search, two letters ("wi")', path: '/mca?q=wi' },
  { name: 'status sort, deep page', path: '/mca?sort=status&page=1900' },
  { name: 'Next from the deep page (keyset)', path: '/mca?page=2000', next: true },
  { name: "Next from the status sort's deep page", path: '/mca?sort=status&page=1900', next: true },
];

async function nextLink(baseUrl: string, path: string): Promise<string> {
  const html = await (await fetch(baseUrl + path)).text();
  const href = /id="page-next" href="([^"]+)"/.exec(html)?.[1];
  if (!href) throw new Error(`No Next link on ${path}`);
  return href.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
}

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = ready.exec(line);
      if (match) resolve({ child, match });
    });
  });
}

async function signInCookie(baseUrl: string): Promise<string> {
  const setupPage = await fetch(`${baseUrl}/setup`);
  const cookie = (setupPage.headers.get('set-cookie') ?? '').split(';')[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(await setupPage.text())?.[1] ?? '';
  const body = new URLSearchParams({
    _csrf: token,
    brokerName: 'Bench Partner',
    name: 'Bench Admin',
    email: 'bench@bench.test',
    password: 'bench password that is long',
  });
  const done = await fetch(`${baseUrl}/setup`, {
    method: 'POST',
    body,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  if (done.status !== 303) throw new Error(`Setup failed with ${done.status}`);
  return (done.headers.get('set-cookie') ?? cookie).split(';')[0];
}

async function measure(url: string, headers: Record<string, string>, seconds: number): Promise<Figures> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, headers }, (err, done) =>
      err ? reject(err) : resolve(done),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requestsPerSecond: result.requests.average,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    errors: result.errors + result.non2xx,
  };
}

const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(9);
const row = (cells: string[], widths: number[]) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mca-bench-'));
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      APP_SECRET: randomBytes(48).toString('base64url'),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SANDBOX_PORT: '0',
      SYNC_INTERVAL_MINUTES: '0',
      NODE_ENV: 'production',
    };
    delete env.DATABASE_URL;
    console.log(`Starting the app (fresh SQLite database in ${dataDir})…`);
    const app = await startProcess([APP_MAIN], env, /listening on/);
    children.push(app.child);
    const appUrl = `http://127.0.0.1:${port}`;
    const cookie = await signInCookie(appUrl);

    const seeded = Date.now();
    seedTenants(join(dataDir, 'mca-manager.sqlite'), 1, TENANTS);
    console.log(`Seeded ${TENANTS.toLocaleString('en-GB')} tenants in ${((Date.now() - seeded) / 1000).toFixed(1)} s.`);

    const bare = await startProcess(
      [join(__dirname, 'bare-server.js'), join(dataDir, 'mca-manager.sqlite'), '1'],
      env,
      /listening (\d+)/,
    );
    children.push(bare.child);
    const bareUrl = `http://127.0.0.1:${bare.match[1]}`;

    const widths = [42, 10, 9, 9, 9, 10, 9, 9, 9, 7];
    console.log(
      `\n${CONNECTIONS} connections, ${SECONDS} s per run, after a 2 s warm-up. "bare": node:http, same statements and templates, no framework, no session.\n`,
    );
    console.log(row(['page', 'app req/s', 'p50', 'p95', 'p99', 'bare req/s', 'p50', 'p95', 'p99', 'ratio'], widths));
    for (const scenario of SCENARIOS) {
      const fragment = scenario.name.startsWith('fragment');
      const headers: Record<string, string> = { cookie, ...(fragment ? { 'HX-Request': 'true' } : {}) };
      const path = scenario.next ? await nextLink(bareUrl, scenario.path) : scenario.path;
      await measure(appUrl + path, headers, 2);
      const ours = await measure(appUrl + path, headers, SECONDS);
      await measure(bareUrl + path, headers, 2);
      const theirs = await measure(bareUrl + path, headers, SECONDS);
      if (ours.errors || theirs.errors) console.log(`  (errors: app ${ours.errors}, bare ${theirs.errors})`);
      console.log(
        row(
          [
            scenario.name,
            ours.requestsPerSecond.toFixed(0),
            ms(ours.p50),
            ms(ours.p95),
            ms(ours.p99),
            theirs.requestsPerSecond.toFixed(0),
            ms(theirs.p50),
            ms(theirs.p95),
            ms(theirs.p99),
            `${((ours.requestsPerSecond / theirs.requestsPerSecond) * 100).toFixed(0)}%`,
          ],
          widths,
        ),
      );
    }
  } finally {
    for (const child of children) child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
