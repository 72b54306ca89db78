import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SANDBOX_STATE_FILE } from '../src/partner-center/sandbox/partner-center-sandbox.service';
import { SandboxState } from '../src/partner-center/sandbox/sandbox-state';

// Gives the app's Partner Center sandbox `count` more customers (a third of them directly signed), written to its
// state file before the app starts, so that a sync from it writes that many tenants.
export function addSandboxCustomers(dataDir: string, count: number): void {
  const state = new SandboxState(join(dataDir, SANDBOX_STATE_FILE));
  const customers = state.customers();
  for (let i = 0; i < count; i++) {
    customers.push({
      id: randomUUID(),
      companyName: `Bench Customer ${i}`,
      domain: `benchcustomer${i}.onmicrosoft.com`,
      directlySigned: i % 3 === 0,
      agreements: [],
    });
  }
  state.save();
}

interface Latencies {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  over: number; // requests that waited longer than WAIT_LIMIT_MS
  overAt: number[]; // when each of those ended, in seconds from the start of the measurement
  errors: number;
}

// Issue 11: no request should wait more than this for a sync's writes.
const WAIT_LIMIT_MS = 100;
const QUIET_SECONDS = 20;

// Requests to `url` from `connections` clients until `until` settles.
function measureUntil(
  url: string,
  headers: Record<string, string>,
  connections: number,
  until: Promise<unknown>,
): Promise<Latencies> {
  const latencies: number[] = [];
  const overAt: number[] = [];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: 3_600, headers }, (err, result) => {
      if (err) return reject(err);
      latencies.sort((a, b) => a - b);
      const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
      resolve({
        requests: latencies.length,
        p50: at(0.5),
        p99: at(0.99),
        max: latencies[latencies.length - 1] ?? NaN,
        over: overAt.length,
        overAt,
        errors: result.errors + result.non2xx,
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (responseTime > WAIT_LIMIT_MS) overAt.push((performance.now() - started) / 1000);
    });
    void until.finally(() => instance.stop());
  });
}

// When the slow requests ended: the first few, enough to tell a single stall from a spread.
const SHOWN_TIMES = 12;
const whenOver = (times: number[]): string =>
  times
    .slice(0, SHOWN_TIMES)
    .map((at) => `${at.toFixed(1)} s`)
    .join(', ') + (times.length > SHOWN_TIMES ? ', …' : '');

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

// Starts a sync from the signed-in broker's Partner Center and measures the MCA page and /healthz while it runs:
// what a user waits for while a large sync writes (issue 11: no request should wait more than 100 ms for it).
export async function measureDuringSync(appUrl: string, cookie: string): Promise<string[]> {
  // A new process answers its first requests slowly (code not yet optimised, templates compiled on first use):
  // that is not the sync's doing, so the pages are warmed before it starts.
  await Promise.all([
    autocannon({ url: `${appUrl}/mca`, connections: 5, amount: 500, headers: { cookie } }),
    autocannon({ url: `${appUrl}/healthz`, connections: 5, amount: 500 }),
  ]);
  // The same load without a sync first: what the machine itself gives (collector pauses, the load generator on
  // the same cores), to read the figures during the sync against.
  const quiet = new Promise((resolve) => setTimeout(resolve, QUIET_SECONDS * 1000));
  const [mcaQuiet, healthQuiet] = await Promise.all([
    measureUntil(`${appUrl}/mca`, { cookie }, 5, quiet),
    measureUntil(`${appUrl}/healthz`, {}, 5, quiet),
  ]);
  const page = await fetch(`${appUrl}/sync/status`, { headers: { cookie } });
  const started = Date.now();
  const response = await fetch(`${appUrl}/sync`, {
    method: 'POST',
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()) }),
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  if (response.status !== 303) throw new Error(`Starting the sync failed with ${response.status}`);
  const finished = (async () => {
    for (;;) {
      const status = await (await fetch(`${appUrl}/sync/status`, { headers: { cookie, 'HX-Request': 'true' } })).text();
      if (!status.includes('Syncing from Microsoft')) return status;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const [mca, health, status] = await Promise.all([
    measureUntil(`${appUrl}/mca`, { cookie }, 5, finished),
    measureUntil(`${appUrl}/healthz`, {}, 5, finished),
    finished,
  ]);
  const outcome = status.includes('The last sync from Microsoft failed') ? 'failed' : 'succeeded';
  const line = (name: string, l: Latencies) =>
    `${name.padEnd(10)} ${String(l.requests).padStart(7)} requests   p50 ${l.p50.toFixed(1).padStart(7)} ms   p99 ${l.p99
      .toFixed(1)
      .padStart(7)} ms   max ${l.max.toFixed(1).padStart(7)} ms   over ${WAIT_LIMIT_MS} ms: ${l.over}${
      l.errors ? `   (${l.errors} errors)` : ''
    }${l.over ? ` (at ${whenOver(l.overAt)})` : ''}`;
  const over = mca.over + health.over;
  const quietOver = mcaQuiet.over + healthQuiet.over;
  return [
    `The same load for ${QUIET_SECONDS} s without a sync, 5 connections each:`,
    line('/mca', mcaQuiet),
    line('/healthz', healthQuiet),
    `The sync ${outcome} after ${((Date.now() - started) / 1000).toFixed(1)} s; meanwhile, 5 connections each:`,
    line('/mca', mca),
    line('/healthz', health),
    over === 0
      ? `Target met: no request waited more than ${WAIT_LIMIT_MS} ms.`
      : `Target NOT met: ${over} of ${mca.requests + health.requests} requests waited more than ${WAIT_LIMIT_MS} ms (without a sync: ${quietOver} of ${mcaQuiet.requests + healthQuiet.requests}).`,
  ];
}
