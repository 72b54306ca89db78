import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { SANDBOX_STATE_FILE } from '../src/partner-center/sandbox/partner-center-sandbox.service';
import { SandboxState } from '../src/partner-center/sandbox/sandbox-state';
import { percentile } from './load';

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

// Issue 11: no request should wait more than this for a sync's writes; issue 25: no turn of the event loop over 50.
const WAIT_LIMIT_MS = 100;
const LOOP_LIMIT_MS = 50;
export const QUIET_SECONDS = 20;
// Requests per second to each of /mca and /healthz: a steady trickle of users, which a 2-core machine shared with
// the sync's sandbox and database serves with room to spare (at 50 each a busy machine queued them for minutes).
export const DEFAULT_STALL_RATE = 20;
// At most this many requests of one loop wait for an answer at once; one due beyond them is not sent and counts as
// an error, so that a stalled server is not buried under a queue that would outlast the measurement.
const MAX_IN_FLIGHT = 256;

interface Latencies {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  over: number; // requests that waited longer than WAIT_LIMIT_MS
  overAt: number[]; // when each of those was due, in seconds from the start of the measurement
  errors: number;
}

// An open loop at `rate` requests per second until `until` settles: each request is due at its own time whatever
// the answers, and its latency counts from that time, so a stall is charged with every request due during it (a
// closed loop of a few connections would count it at most once per connection).
function openLoopUntil(
  url: string,
  headers: Record<string, string>,
  rate: number,
  until: Promise<unknown>,
): Promise<Latencies> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  const latencies: number[] = [];
  const overAt: number[] = [];
  let [sent, settled, errors, stopped] = [0, 0, 0, false];
  const start = performance.now();
  const fire = (due: number) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        settled += 1;
        if (!res.statusCode || res.statusCode >= 300) return void (errors += 1);
        const latency = performance.now() - due;
        latencies.push(latency);
        if (latency > WAIT_LIMIT_MS) overAt.push((due - start) / 1000);
      });
    });
    req.on('error', () => {
      settled += 1;
      errors += 1;
    });
    req.end();
  };
  const timer = setInterval(() => {
    const now = performance.now();
    for (; !stopped && start + (sent * 1000) / rate <= now; sent += 1) {
      if (sent - settled < MAX_IN_FLIGHT) fire(start + (sent * 1000) / rate);
      else {
        settled += 1;
        errors += 1;
      }
    }
  }, 1);
  return until
    .finally(() => (stopped = true))
    .then(async () => {
      // The requests already sent are answered (or given up 10 s on).
      for (const deadline = performance.now() + 10_000; settled < sent && performance.now() < deadline;)
        await new Promise((resolve) => setTimeout(resolve, 20));
      clearInterval(timer);
      agent.destroy();
      latencies.sort((a, b) => a - b);
      return {
        requests: latencies.length,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        max: latencies[latencies.length - 1] ?? NaN,
        over: overAt.length,
        overAt: overAt.sort((a, b) => a - b),
        errors: errors + (sent - settled),
      };
    });
}

// One of the app's histograms as /metrics gives it: cumulative counts by upper bound (seconds), and the total.
interface Cumulative {
  buckets: Map<number, number>;
  count: number;
}

interface Tail {
  samples: number;
  p99: number; // ms, interpolated in its bucket as Prometheus's histogram_quantile does
  over50: number;
  over100: number;
}

// The event loop's delays (mca_event_loop_delay_seconds), with the longest the app's gauge reported between
// scrapes, and the process's CPU time in the same samples (mca_event_loop_busy_seconds): on a busy machine a delay
// with little CPU in it is the process waiting for a core, not its own work holding the loop.
export interface LoopDelays extends Tail {
  max: number;
  busy: Tail;
}

function histogramOf(text: string, name: string): Cumulative {
  const buckets = new Map<number, number>();
  let count = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const bucket = /^\w+_bucket\{le="([^"]+)"\} (\S+)$/.exec(line);
    if (bucket && bucket[1] !== '+Inf') buckets.set(Number(bucket[1]), Number(bucket[2]));
    const total = /^\w+_count (\S+)$/.exec(line);
    if (total) count = Number(total[1]);
  }
  return { buckets, count };
}

interface LoopScrape {
  delays: Cumulative;
  busy: Cumulative;
  max: number;
}

// Null from an app without the probe (a build before it), whose requests are still measured.
async function scrapeLoop(appUrl: string): Promise<LoopScrape | null> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  const delays = histogramOf(text, 'mca_event_loop_delay_seconds');
  if (delays.buckets.size === 0) return null;
  const max = Number(/^mca_event_loop_delay_max_seconds (\S+)$/m.exec(text)?.[1] ?? 0);
  return { delays, busy: histogramOf(text, 'mca_event_loop_busy_seconds'), max };
}

// The samples between two scrapes: their p99 (the bucket it falls in, interpolated) and the counts over the limits.
function tailBetween(first: Cumulative, last: Cumulative): Tail {
  const bounds = [...last.buckets.keys()].sort((a, b) => a - b);
  const below = (bound: number) => (last.buckets.get(bound) ?? 0) - (first.buckets.get(bound) ?? 0);
  const samples = last.count - first.count;
  const rank = 0.99 * samples;
  let [p99, lower, before] = [NaN, 0, 0];
  for (const bound of bounds) {
    const upTo = below(bound);
    if (upTo >= rank) {
      p99 = lower + ((bound - lower) * (rank - before)) / Math.max(1, upTo - before);
      break;
    }
    [lower, before] = [bound, upTo];
  }
  return {
    samples,
    p99: (Number.isNaN(p99) ? bounds[bounds.length - 1] : p99) * 1000,
    over50: samples - below(LOOP_LIMIT_MS / 1000),
    over100: samples - below(WAIT_LIMIT_MS / 1000),
  };
}

// Reads the app's event-loop delay from its /metrics every second until `until` settles.
export async function loopDelaysUntil(appUrl: string, until: Promise<unknown>): Promise<LoopDelays | null> {
  const first = await scrapeLoop(appUrl);
  if (!first) return null;
  let [done, max] = [false, 0];
  void until.finally(() => (done = true));
  let last = first;
  while (!done) {
    await Promise.race([until, new Promise((resolve) => setTimeout(resolve, 1_000))]).catch(() => undefined);
    last = (await scrapeLoop(appUrl)) ?? last;
    max = Math.max(max, last.max);
  }
  return {
    ...tailBetween(first.delays, last.delays),
    max: max * 1000,
    busy: tailBetween(first.busy, last.busy),
  };
}

export interface Stalls {
  seconds: number;
  mca: Latencies;
  health: Latencies;
  loop: LoopDelays | null;
}

// What a user of the signed-in broker and a health check see while `until` runs: /mca and /healthz in open loops
// at `rate` requests per second each, and the app's own event-loop delay.
export async function measureStalls(
  appUrl: string,
  cookie: string,
  rate: number,
  until: Promise<unknown>,
): Promise<Stalls> {
  const started = performance.now();
  const [mca, health, loop] = await Promise.all([
    openLoopUntil(`${appUrl}/mca`, { cookie }, rate, until),
    openLoopUntil(`${appUrl}/healthz`, {}, rate, until),
    loopDelaysUntil(appUrl, until),
  ]);
  return { seconds: (performance.now() - started) / 1000, mca, health, loop };
}

// A new process answers its first requests slowly (code not yet optimised, templates compiled on first use): that
// is not the sync's doing, so the pages are warmed before anything is measured.
export async function warmUp(appUrl: string, cookie: string): Promise<void> {
  await Promise.all([
    autocannon({ url: `${appUrl}/mca`, connections: 5, amount: 500, headers: { cookie } }),
    autocannon({ url: `${appUrl}/healthz`, connections: 5, amount: 500 }),
  ]);
}

export const quietPeriod = (seconds = QUIET_SECONDS) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

// When the slow requests were due: the first few, enough to tell a single stall from a spread.
const SHOWN_TIMES = 8;
const whenOver = (times: number[]): string =>
  times
    .slice(0, SHOWN_TIMES)
    .map((at) => `${at.toFixed(1)} s`)
    .join(', ') + (times.length > SHOWN_TIMES ? ', …' : '');

const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;

// The figures of one measurement, as printed (and as the README's tables are read from).
export function stallLines(name: string, rate: number, stalls: Stalls): string[] {
  const line = (path: string, l: Latencies) =>
    `  ${path.padEnd(9)} ${String(l.requests).padStart(7)} requests   p50 ${ms(l.p50)}   p99 ${ms(l.p99)}   max ${ms(
      l.max,
    )}   over ${WAIT_LIMIT_MS} ms: ${l.over}${l.errors ? ` (${l.errors} errors)` : ''}${
      l.over ? ` (due at ${whenOver(l.overAt)})` : ''
    }`;
  return [
    `${name}, ${stalls.seconds.toFixed(1)} s, open loops of ${rate} requests/s each (latency from each request's due time):`,
    line('/mca', stalls.mca),
    line('/healthz', stalls.health),
    loopLine(stalls.loop),
  ];
}

export function loopLine(loop: LoopDelays | null): string {
  return loop
    ? `  event loop ${String(loop.samples).padStart(6)} samples   p99 ${ms(loop.p99)}   max ${ms(loop.max)}   over ${LOOP_LIMIT_MS} ms: ${
        loop.over50
      }   over ${WAIT_LIMIT_MS} ms: ${loop.over100}   (the process's CPU in them: p99 ${ms(loop.busy.p99)}, over ${LOOP_LIMIT_MS} ms: ${
        loop.busy.over50
      }, over ${WAIT_LIMIT_MS} ms: ${loop.busy.over100})`
    : '  event loop: not measured (the app has no mca_event_loop_delay_seconds)';
}

// Issue 25's target for a sync: p99 under 50 ms and no event-loop delay over 50 ms.
export function stallVerdict(during: Stalls): string {
  const { loop } = during;
  const p99 = Math.max(during.mca.p99, during.health.p99, loop?.p99 ?? 0);
  const met = p99 < LOOP_LIMIT_MS && loop !== null && loop.over50 === 0;
  const delays = loop
    ? `${loop.over50} event-loop delays over ${LOOP_LIMIT_MS} ms (none; ${loop.busy.over50} of them with as much of the process's CPU), the longest ${loop.max.toFixed(1)} ms`
    : 'the event loop not measured';
  return `${met ? 'Target met' : 'Target NOT met'}: p99 ${p99.toFixed(1)} ms (under ${LOOP_LIMIT_MS}), ${delays}.`;
}

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

// Starts a sync from the signed-in broker's Partner Center; settles with its status fragment once it ended.
export async function startSync(appUrl: string, cookie: string): Promise<string> {
  const page = await fetch(`${appUrl}/sync/status`, { headers: { cookie } });
  const response = await fetch(`${appUrl}/sync`, {
    method: 'POST',
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()) }),
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  if (response.status !== 303) throw new Error(`Starting the sync failed with ${response.status}`);
  for (;;) {
    const status = await (await fetch(`${appUrl}/sync/status`, { headers: { cookie, 'HX-Request': 'true' } })).text();
    if (!status.includes('Syncing from Microsoft')) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export const syncFailed = (status: string): boolean => status.includes('The last sync from Microsoft failed');

// Measures the MCA page and /healthz without a sync, then while a sync from the signed-in broker's Partner Center
// runs: what a user waits for while a large sync reads and writes.
export async function measureDuringSync(appUrl: string, cookie: string, rate = DEFAULT_STALL_RATE): Promise<string[]> {
  await warmUp(appUrl, cookie);
  // The same load without a sync first: what the machine itself gives (collector pauses, the load generator on
  // the same cores), to read the figures during the sync against.
  const quiet = await measureStalls(appUrl, cookie, rate, quietPeriod());
  const started = performance.now();
  const finished = startSync(appUrl, cookie);
  const during = await measureStalls(appUrl, cookie, rate, finished);
  const outcome = syncFailed(await finished) ? 'failed' : 'succeeded';
  return [
    ...stallLines('Without a sync', rate, quiet),
    ...stallLines(
      `During the sync (it ${outcome} after ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      rate,
      during,
    ),
    stallVerdict(during),
  ];
}
