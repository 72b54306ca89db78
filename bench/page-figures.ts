import { median, percentile } from './load';

export type ServerName = 'app' | 'bare';

// One closed-loop run of one server on one measured broker's page.
export interface ClosedRun {
  server: ServerName;
  tenants: number; // the measured broker's size, which names it
  round: number;
  requestsPerSecond: number;
  requests: number; // answered, and still in flight when the load stopped (the server finished them)
  errors: number;
  cpuMs: number; // the server process's own CPU time from the run's start until it was idle again
  cpuMsPerRequest: number; // over `requests`; NaN when there were none
  // PostgreSQL: the database's client backends' CPU time over the same span (only this server was asking).
  dbCpuMs?: number;
  load: number; // the highest 1-minute load average seen during the run
}

// One open-loop run of one server at one rate: what a round gives for the pooled and the per-round latencies.
export interface OpenRun {
  latencies: number[];
  errors: number;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

// A ratio of two figures taken close in time: its spread over the rounds (each round's runs against the same
// round's), and the ratio of the two figures' medians over every run.
export interface Ratio extends Spread {
  ofMedians: number;
}

// The open-loop runs of one server at one rate: every round's latencies pooled, and the spread of the rounds' own
// p95s (a round with an error counts as Infinity: it did not meet any latency target).
export interface RateFigures {
  rate: number;
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  roundP95: Spread;
}

export interface ServerFigures {
  requestsPerSecond: Spread;
  cpuMsPerRequest: Spread;
  dbCpuMsPerRequest?: Spread; // PostgreSQL's CPU for this server's requests
  rates: RateFigures[];
}

// One variant on one measured broker.
export interface BrokerFigures {
  tenants: number;
  label: string;
  path: string;
  app: ServerFigures;
  bare: ServerFigures;
  throughputRatio: Ratio; // app / bare
  cpuRatio: Ratio; // app / bare
  load: Spread;
  errors: number;
}

// How long a server took, on one broker's page, until its CPU per request settled.
export interface WarmUp {
  server: ServerName;
  tenants: number;
  seconds: number;
  settled: boolean; // false: the time cap ended it first
  cpuMsPerRequest: number[]; // each short run's
}

export interface VariantFigures {
  name: string;
  brokers: BrokerFigures[]; // the smaller broker first
  // The app's CPU per request on the largest measured broker against the smallest, with PostgreSQL's for its
  // requests (where the reads' work is done), and the app's process alone; absent with one broker.
  scaleCpuRatio?: Ratio;
  scaleAppCpuRatio?: Ratio;
  warmUps: WarmUp[];
  runs: ClosedRun[];
}

export const spread = (values: number[]): Spread => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});

// Warm until settled: the last `window` short runs' CPU per request lie within `tolerance` (a fraction) of the
// lowest of them. A first run after a start is the dearest (code not yet optimised); a fixed warm-up of a second
// left some of that in the first measured run.
export const SETTLE_WINDOW = 3;
export const SETTLE_TOLERANCE = 0.05;

export function settled(values: number[], window = SETTLE_WINDOW, tolerance = SETTLE_TOLERANCE): boolean {
  if (values.length < window) return false;
  const last = values.slice(-window);
  if (!last.every((value) => Number.isFinite(value) && value > 0)) return false;
  return Math.max(...last) - Math.min(...last) <= tolerance * Math.min(...last);
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

export function rateFigures(rate: number, rounds: OpenRun[]): RateFigures {
  const all = sorted(rounds.flatMap((run) => run.latencies));
  return {
    rate,
    requests: all.length,
    errors: rounds.reduce((sum, run) => sum + run.errors, 0),
    p50: percentile(all, 0.5),
    p95: percentile(all, 0.95),
    p99: percentile(all, 0.99),
    roundP95: spread(rounds.map((run) => (run.errors > 0 ? Infinity : percentile(sorted(run.latencies), 0.95)))),
  };
}

// The CPU per request of a set of runs: their CPU time over their requests; the server's alone, or with the
// database's for its requests when that was measured.
const requestsOf = (runs: ClosedRun[]) => runs.reduce((sum, run) => sum + run.requests, 0);
export const cpuPerRequest = (runs: ClosedRun[]): number =>
  runs.reduce((sum, run) => sum + run.cpuMs, 0) / requestsOf(runs);
export const totalCpuPerRequest = (runs: ClosedRun[]): number =>
  runs.reduce((sum, run) => sum + run.cpuMs + (run.dbCpuMs ?? 0), 0) / requestsOf(runs);
export const throughput = (runs: ClosedRun[]): number =>
  runs.reduce((sum, run) => sum + run.requestsPerSecond, 0) / runs.length;

// `figure` of the runs that `top` picks against that of the runs `bottom` picks, round by round.
export function ratio(
  runs: ClosedRun[],
  top: (run: ClosedRun) => boolean,
  bottom: (run: ClosedRun) => boolean,
  figure: (runs: ClosedRun[]) => number,
): Ratio {
  const rounds = [...new Set(runs.map((run) => run.round))];
  const perRound = rounds.map(
    (round) =>
      figure(runs.filter((run) => run.round === round && top(run))) /
      figure(runs.filter((run) => run.round === round && bottom(run))),
  );
  const medianOf = (pick: (run: ClosedRun) => boolean) => median(runs.filter(pick).map((run) => figure([run])));
  return { ...spread(perRound), ofMedians: medianOf(top) / medianOf(bottom) };
}

export function brokerFigures(
  variant: { label: string; path: string },
  tenants: number,
  allRuns: ClosedRun[],
  rates: Record<ServerName, RateFigures[]>,
): BrokerFigures {
  const runs = allRuns.filter((run) => run.tenants === tenants);
  const side = (server: ServerName): ServerFigures => {
    const own = runs.filter((run) => run.server === server);
    const db = own.filter((run) => run.dbCpuMs !== undefined);
    return {
      requestsPerSecond: spread(own.map((run) => run.requestsPerSecond)),
      cpuMsPerRequest: spread(own.map((run) => run.cpuMsPerRequest)),
      ...(db.length > 0 ? { dbCpuMsPerRequest: spread(db.map((run) => run.dbCpuMs! / run.requests)) } : {}),
      rates: rates[server],
    };
  };
  const app = (run: ClosedRun) => run.server === 'app';
  const bare = (run: ClosedRun) => run.server === 'bare';
  return {
    tenants,
    label: variant.label,
    path: variant.path,
    app: side('app'),
    bare: side('bare'),
    throughputRatio: ratio(runs, app, bare, throughput),
    cpuRatio: ratio(runs, app, bare, cpuPerRequest),
    load: spread(runs.map((run) => run.load)),
    errors:
      runs.reduce((sum, run) => sum + run.errors, 0) +
      [...rates.app, ...rates.bare].reduce((sum, rate) => sum + rate.errors, 0),
  };
}

// The app's CPU per request (`figure`) on the largest broker against the smallest, round by round.
export function scaleRatio(runs: ClosedRun[], figure = totalCpuPerRequest): Ratio | undefined {
  const sizes = [...new Set(runs.map((run) => run.tenants))];
  if (sizes.length < 2) return undefined;
  const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
  return ratio(
    runs,
    (run) => run.server === 'app' && run.tenants === large,
    (run) => run.server === 'app' && run.tenants === small,
    figure,
  );
}

// Issue 12's targets, on every measured broker: p95 under 50 ms at 100 requests/s on every variant; the app's CPU
// per request at most twice the bare server's on the unfiltered page and keyset Next; peak RSS under 300 MB.
// Issue 25's: on the largest broker, the app's CPU per request within 10% of the smaller broker's (with
// PostgreSQL's for the app's requests, where the reads' work is done).
export const TARGET_P95_MS = 50;
export const TARGET_RATE = 100;
export const TARGET_CPU_RATIO = 2;
export const CPU_RATIO_VARIANTS = ['unfiltered', 'keyset'];
export const TARGET_SCALE_RATIO = 1.1;
export const TARGET_RSS_MB = 300;

export type Verdict = 'met' | 'NOT met' | 'inconclusive';

// Met when the whole spread lies within the limit, NOT met when none of it does; a spread that straddles the
// limit says the machine's noise decides, so neither is claimed. NaN (no figure) is never within.
export function verdict(range: Pick<Spread, 'min' | 'max'>, limit: number, inclusive = false): Verdict {
  const within = (value: number) => (inclusive ? value <= limit : value < limit);
  if (within(range.min) && within(range.max)) return 'met';
  if (!within(range.min) && !within(range.max)) return 'NOT met';
  return 'inconclusive';
}

export interface Target {
  what: string;
  figure: string;
  verdict: Verdict;
}

export const tenantsLabel = (tenants: number): string => tenants.toLocaleString('en-GB');
// Infinity is a round's p95 with an error in it.
const fixed = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toFixed(digits) : value === Infinity ? '∞' : '–';
const ranged = (s: Spread, digits: number, unit = '') =>
  `${fixed(s.median, digits)}${unit} (${fixed(s.min, digits)}–${fixed(s.max, digits)})`;
const ratioText = (r: Ratio) => `${ranged(r, 2, 'x')}, of medians ${fixed(r.ofMedians, 2)}x`;

export function targets(variants: VariantFigures[], appPeakRssMb: number): Target[] {
  const list: Target[] = [];
  for (const v of variants)
    for (const b of v.brokers) {
      const at = b.app.rates.find((rate) => rate.rate === TARGET_RATE);
      if (at)
        list.push({
          what: `${v.name} @${tenantsLabel(b.tenants)}: app p95 < ${TARGET_P95_MS} ms at ${TARGET_RATE} req/s`,
          figure: `${fixed(at.p95, 1)} ms pooled, rounds ${fixed(at.roundP95.min, 1)}–${fixed(at.roundP95.max, 1)} ms${at.errors ? ` (${at.errors} errors)` : ''}`,
          verdict: verdict(at.roundP95, TARGET_P95_MS),
        });
    }
  for (const v of variants.filter((figures) => CPU_RATIO_VARIANTS.includes(figures.name)))
    for (const b of v.brokers)
      list.push({
        what: `${v.name} @${tenantsLabel(b.tenants)}: app CPU/request <= ${TARGET_CPU_RATIO}x bare`,
        figure: ratioText(b.cpuRatio),
        verdict: verdict(b.cpuRatio, TARGET_CPU_RATIO, true),
      });
  for (const v of variants)
    if (v.scaleCpuRatio)
      list.push({
        what: `${v.name}: app${v.brokers[0].app.dbCpuMsPerRequest ? ' and database' : ''} CPU/request @${tenantsLabel(v.brokers[v.brokers.length - 1].tenants)} <= ${TARGET_SCALE_RATIO}x @${tenantsLabel(v.brokers[0].tenants)}`,
        figure: ratioText(v.scaleCpuRatio),
        verdict: verdict(v.scaleCpuRatio, TARGET_SCALE_RATIO, true),
      });
  list.push({
    what: `app peak RSS < ${TARGET_RSS_MB} MB`,
    figure: `${fixed(appPeakRssMb)} MB`,
    verdict: verdict({ min: appPeakRssMb, max: appPeakRssMb }, TARGET_RSS_MB),
  });
  return list;
}

// The run as a whole: conclusive when no target's spread straddles its limit.
export function summary(list: Target[]): string {
  const count = (v: Verdict) => list.filter((target) => target.verdict === v).length;
  const tally = `${count('met')} met, ${count('NOT met')} NOT met, ${count('inconclusive')} inconclusive of ${list.length}`;
  return count('inconclusive') === 0
    ? `The run is conclusive: ${tally}.`
    : `The run is INCONCLUSIVE (${tally}): the spread of those straddles the target; run again on a quieter machine or with longer runs.`;
}

const latencies = (r: RateFigures | undefined) =>
  r
    ? `${fixed(r.p50, 1)} / ${fixed(r.p95, 1)} / ${fixed(r.p99, 1)} (rounds' p95 ${fixed(r.roundP95.min, 1)}–${fixed(r.roundP95.max, 1)})${r.errors ? ` (${r.errors} err)` : ''}`
    : '–';
const markdown = (header: string[], rows: string[][]): string[] => [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => ' --- ').join('|')}|`,
  ...rows.map((row) => `| ${row.join(' | ')} |`),
];

// The main table, a row per variant and measured broker, as Markdown (so that it can go into the README as
// printed). Each spread is median (min–max) over the runs, each ratio's over the rounds. On PostgreSQL, the
// database's CPU per request of each server too (its backends', while only that server was asking).
export function table(variants: VariantFigures[], rates: number[]): string[] {
  const db = variants.some((v) => v.brokers.some((b) => b.app.dbCpuMsPerRequest));
  const header = [
    'variant',
    'tenants',
    'app req/s',
    'bare req/s',
    'throughput ratio',
    'app CPU ms/req',
    'bare CPU ms/req',
    'CPU ratio',
    ...(db ? ['app database CPU ms/req', 'bare database CPU ms/req'] : []),
    ...rates.flatMap((rate) => [`app p50/p95/p99 ms @${rate}/s`, `bare p50/p95/p99 ms @${rate}/s`]),
    'load (max)',
  ];
  const rows = variants.flatMap((v) =>
    v.brokers.map((b) => [
      b.label,
      tenantsLabel(b.tenants),
      ranged(b.app.requestsPerSecond, 0),
      ranged(b.bare.requestsPerSecond, 0),
      ranged(b.throughputRatio, 2, 'x'),
      ranged(b.app.cpuMsPerRequest, 2),
      ranged(b.bare.cpuMsPerRequest, 2),
      `${ranged(b.cpuRatio, 2, 'x')}${CPU_RATIO_VARIANTS.includes(v.name) ? ` ${verdict(b.cpuRatio, TARGET_CPU_RATIO, true)}` : ''}`,
      ...(db ? [b.app.dbCpuMsPerRequest, b.bare.dbCpuMsPerRequest].map((d) => (d ? ranged(d, 2) : '–')) : []),
      ...rates.flatMap((rate) => {
        const app = b.app.rates.find((r) => r.rate === rate);
        const flag = rate === TARGET_RATE && app ? ` ${verdict(app.roundP95, TARGET_P95_MS)}` : '';
        return [`${latencies(app)}${flag}`, latencies(b.bare.rates.find((r) => r.rate === rate))];
      }),
      `${fixed(b.load.median, 1)} (${fixed(b.load.max, 1)})`,
    ]),
  );
  return markdown(header, rows);
}

// The app's CPU per request on the largest broker against the smallest, a row per variant; none with one broker.
// On PostgreSQL the database's CPU for the app's requests is shown beside it, and the target's ratio counts both.
export function scaleTable(variants: VariantFigures[]): string[] {
  const measured = variants.filter((v) => v.scaleCpuRatio);
  if (measured.length === 0) return [];
  const small = tenantsLabel(measured[0].brokers[0].tenants);
  const large = tenantsLabel(measured[0].brokers[measured[0].brokers.length - 1].tenants);
  const db = measured.some((v) => v.brokers[0].app.dbCpuMsPerRequest);
  const header = db
    ? [
        'variant',
        `app CPU ms/req @${small}`,
        `database @${small}`,
        `app CPU ms/req @${large}`,
        `database @${large}`,
        'app alone: ratio',
        `app and database: ratio (target <= ${TARGET_SCALE_RATIO}x)`,
      ]
    : ['variant', `app CPU ms/req @${small}`, `app CPU ms/req @${large}`, `ratio (target <= ${TARGET_SCALE_RATIO}x)`];
  const dbCell = (s: Spread | undefined) => (s ? ranged(s, 2) : '–');
  return markdown(
    header,
    measured.map((v) => {
      const [first, last] = [v.brokers[0], v.brokers[v.brokers.length - 1]];
      const target = `${ranged(v.scaleCpuRatio!, 2, 'x')} ${verdict(v.scaleCpuRatio!, TARGET_SCALE_RATIO, true)}`;
      return db
        ? [
            last.label,
            ranged(first.app.cpuMsPerRequest, 2),
            dbCell(first.app.dbCpuMsPerRequest),
            ranged(last.app.cpuMsPerRequest, 2),
            dbCell(last.app.dbCpuMsPerRequest),
            v.scaleAppCpuRatio ? ranged(v.scaleAppCpuRatio, 2, 'x') : '–',
            target,
          ]
        : [last.label, ranged(first.app.cpuMsPerRequest, 2), ranged(last.app.cpuMsPerRequest, 2), target];
    }),
  );
}

// How long each server took to settle on each variant; one that did not, how far apart its last runs were.
export const warmUpLine = (warmUps: WarmUp[]): string =>
  warmUps
    .map((w) => {
      const last = w.cpuMsPerRequest.slice(-SETTLE_WINDOW);
      const apart = (Math.max(...last) / Math.min(...last) - 1) * 100;
      return `${w.server}@${tenantsLabel(w.tenants)} ${w.seconds.toFixed(0)} s${w.settled ? '' : ` (not settled: last ${last.length} runs ${fixed(apart)}% apart)`}`;
    })
    .join(', ');
