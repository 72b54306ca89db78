import { median, percentile } from './load';
import type { Variant } from './variants';

export type ServerName = 'app' | 'bare';

// One closed-loop run of one server.
export interface ClosedRun {
  server: ServerName;
  round: number;
  requestsPerSecond: number;
  requests: number;
  errors: number;
  cpuMsPerRequest: number; // the server process's own CPU time over the requests it answered
  load: number; // the highest 1-minute load average seen during the run
}

// The open-loop runs of one server at one rate, every round's latencies pooled.
export interface RateFigures {
  rate: number;
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface VariantFigures {
  name: string;
  label: string;
  path: string;
  app: { requestsPerSecond: Spread; cpuMsPerRequest: Spread; rates: RateFigures[] };
  bare: { requestsPerSecond: Spread; cpuMsPerRequest: Spread; rates: RateFigures[] };
  throughputRatio: number; // app / bare, of the medians
  cpuRatio: number; // app / bare, of the medians
  load: Spread;
  errors: number;
  runs: ClosedRun[];
}

export const spread = (values: number[]): Spread => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});

export function rateFigures(rate: number, latencies: number[], errors: number): RateFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    rate,
    requests: sorted.length,
    errors,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
  };
}

export function variantFigures(
  variant: Variant,
  runs: ClosedRun[],
  rates: Record<ServerName, RateFigures[]>,
): VariantFigures {
  const of = (server: ServerName) => runs.filter((run) => run.server === server);
  const side = (server: ServerName) => ({
    requestsPerSecond: spread(of(server).map((run) => run.requestsPerSecond)),
    cpuMsPerRequest: spread(of(server).map((run) => run.cpuMsPerRequest)),
    rates: rates[server],
  });
  const app = side('app');
  const bare = side('bare');
  return {
    name: variant.name,
    label: variant.label,
    path: variant.path,
    app,
    bare,
    throughputRatio: app.requestsPerSecond.median / bare.requestsPerSecond.median,
    cpuRatio: app.cpuMsPerRequest.median / bare.cpuMsPerRequest.median,
    load: spread(runs.map((run) => run.load)),
    errors:
      runs.reduce((sum, run) => sum + run.errors, 0) +
      [...rates.app, ...rates.bare].reduce((sum, rate) => sum + rate.errors, 0),
    runs,
  };
}

// Issue 12's targets: p95 under 50 ms at 100 requests/s on every variant; the app's CPU per request at most twice
// the bare server's on the unfiltered page and keyset Next; peak RSS under 300 MB.
export const TARGET_P95_MS = 50;
export const TARGET_RATE = 100;
export const TARGET_CPU_RATIO = 2;
export const CPU_RATIO_VARIANTS = ['unfiltered', 'keyset'];
export const TARGET_RSS_MB = 300;

export interface Target {
  what: string;
  figure: string;
  met: boolean;
}

export function targets(variants: VariantFigures[], appPeakRssMb: number): Target[] {
  const list: Target[] = [];
  for (const v of variants) {
    const at = v.app.rates.find((rate) => rate.rate === TARGET_RATE);
    if (at)
      list.push({
        what: `${v.name}: app p95 < ${TARGET_P95_MS} ms at ${TARGET_RATE} req/s`,
        figure: `${at.p95.toFixed(1)} ms${at.errors ? ` (${at.errors} errors)` : ''}`,
        met: at.p95 < TARGET_P95_MS && at.errors === 0,
      });
  }
  for (const v of variants.filter((figures) => CPU_RATIO_VARIANTS.includes(figures.name)))
    list.push({
      what: `${v.name}: app CPU/request <= ${TARGET_CPU_RATIO}x bare`,
      figure: `${v.cpuRatio.toFixed(2)}x`,
      met: v.cpuRatio <= TARGET_CPU_RATIO,
    });
  list.push({
    what: `app peak RSS < ${TARGET_RSS_MB} MB`,
    figure: `${appPeakRssMb.toFixed(0)} MB`,
    met: appPeakRssMb < TARGET_RSS_MB,
  });
  return list;
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const latencies = (r: RateFigures | undefined) =>
  r ? `${fixed(r.p50, 1)} / ${fixed(r.p95, 1)} / ${fixed(r.p99, 1)}${r.errors ? ` (${r.errors} err)` : ''}` : '–';

// The one table, as Markdown (so that it can go into the README as printed).
export function table(variants: VariantFigures[], rates: number[]): string[] {
  const header = [
    'variant',
    'app req/s median (min–max)',
    'bare req/s median (min–max)',
    'ratio',
    'app CPU ms/req',
    'bare CPU ms/req',
    'CPU ratio',
    ...rates.flatMap((rate) => [`app p50/p95/p99 ms @${rate}/s`, `bare p50/p95/p99 ms @${rate}/s`]),
    'load (max)',
  ];
  const rows = variants.map((v) => [
    v.label,
    `${fixed(v.app.requestsPerSecond.median)} (${fixed(v.app.requestsPerSecond.min)}–${fixed(v.app.requestsPerSecond.max)})`,
    `${fixed(v.bare.requestsPerSecond.median)} (${fixed(v.bare.requestsPerSecond.min)}–${fixed(v.bare.requestsPerSecond.max)})`,
    `${fixed(v.throughputRatio * 100)}%`,
    fixed(v.app.cpuMsPerRequest.median, 2),
    fixed(v.bare.cpuMsPerRequest.median, 2),
    `${fixed(v.cpuRatio, 2)}x${CPU_RATIO_VARIANTS.includes(v.name) ? (v.cpuRatio <= TARGET_CPU_RATIO ? ' met' : ' NOT met') : ''}`,
    ...rates.flatMap((rate) => {
      const app = v.app.rates.find((r) => r.rate === rate);
      const flag = rate === TARGET_RATE && app ? (app.p95 < TARGET_P95_MS && !app.errors ? ' met' : ' NOT met') : '';
      return [`${latencies(app)}${flag}`, latencies(v.bare.rates.find((r) => r.rate === rate))];
    }),
    `${fixed(v.load.median, 1)} (${fixed(v.load.max, 1)})`,
  ]);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}
