import { parseArgs } from 'node:util';
import { VARIANT_NAMES, type VariantName } from './variants';

export type BenchDatabase = 'sqlite' | 'postgres';

export interface BenchOptions {
  db: BenchDatabase;
  databaseUrl: string; // PostgreSQL only: emptied before the run
  brokers: number;
  tenants: number; // per broker
  largeTenants: number; // the last broker's instead, measured beside the one before it; 0: every broker has `tenants`
  variants: VariantName[];
  seconds: number; // each closed-loop run
  rateSeconds: number; // each open-loop run
  connections: number;
  rounds: number;
  alternations: number; // times each round runs every subject and back in reverse
  warmMaxSeconds: number; // the cap on each server's warm-up on each variant and broker
  rates: number[]; // requests per second of the open-loop runs
  syncCustomers: number; // 0 skips the sync-contention part
  json: string;
}

// The committed default: a database of its own, because the bench empties it.
export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/bench';

const USAGE = `npm run bench -- [options]   (each option also reads the environment variable named after it)
  --db sqlite|postgres     BENCH_DB (sqlite)
  --brokers N              BENCH_BROKERS (5): brokers seeded; the last one is measured
  --tenants N              BENCH_TENANTS (100000): tenants per broker
  --large-tenants N        BENCH_LARGE_TENANTS (0): the last broker gets N tenants instead, and the broker before it
                           is measured too, interleaved (e.g. 1000000: 4 brokers of 100,000 and one of 1,000,000)
  --variants a,b           BENCH_VARIANTS (all): ${VARIANT_NAMES.join(', ')}
  --seconds N              BENCH_SECONDS (1): each closed-loop run
  --rate-seconds N         BENCH_RATE_SECONDS (2): each fixed-rate run
  --connections N          BENCH_CONNECTIONS (25): closed-loop connections
  --rounds N               BENCH_ROUNDS (3): rounds of app, bare, bare, app (with two brokers measured:
                           app, bare, app, bare on the first then the second, and back in reverse)
  --alternations N         BENCH_ALTERNATIONS (3): times a round runs that order and back; a ratio compares
                           the round's runs taken together, so short runs alternating often keep a drift of the
                           machine (it comes and goes within seconds on a shared host) from falling on one side
  --warm-max N             BENCH_WARM_MAX (15): seconds at most of each server's warm-up until its CPU/request settles
  --rates 100,300          BENCH_RATES (100): open-loop arrival rates, requests/s
  --sync-customers N       BENCH_SYNC_CUSTOMERS (10000): the sync measured first; 0 skips it
  --json PATH              BENCH_JSON (bench-results/<time>-<db>.json)
PostgreSQL: BENCH_DATABASE_URL (${DEFAULT_BENCH_DATABASE_URL}); that database is created if missing and EMPTIED.`;

const positive = (name: string, value: string, min = 1): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} takes a whole number of at least ${min}\n${USAGE}`);
  return n;
};

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      brokers: { type: 'string' },
      tenants: { type: 'string' },
      'large-tenants': { type: 'string' },
      variants: { type: 'string' },
      seconds: { type: 'string' },
      'rate-seconds': { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      alternations: { type: 'string' },
      'warm-max': { type: 'string' },
      rates: { type: 'string' },
      'sync-customers': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const pick = (name: keyof typeof values, variable: string, fallback: string): string =>
    String(values[name] ?? env[variable] ?? fallback);
  const db = pick('db', 'BENCH_DB', 'sqlite');
  if (db !== 'sqlite' && db !== 'postgres') throw new Error(`--db is sqlite or postgres\n${USAGE}`);
  const variants = pick('variants', 'BENCH_VARIANTS', VARIANT_NAMES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of variants)
    if (!(VARIANT_NAMES as readonly string[]).includes(name)) throw new Error(`Unknown variant "${name}"\n${USAGE}`);
  const seconds = positive('seconds', pick('seconds', 'BENCH_SECONDS', '1'));
  const brokers = positive('brokers', pick('brokers', 'BENCH_BROKERS', '5'));
  const tenants = positive('tenants', pick('tenants', 'BENCH_TENANTS', '100000'), 100);
  const largeTenants = positive('large-tenants', pick('large-tenants', 'BENCH_LARGE_TENANTS', '0'), 0);
  if (largeTenants > 0 && (largeTenants <= tenants || brokers < 2))
    throw new Error(`--large-tenants takes more than --tenants, with --brokers 2 or more\n${USAGE}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    db,
    databaseUrl: env.BENCH_DATABASE_URL || DEFAULT_BENCH_DATABASE_URL,
    brokers,
    tenants,
    largeTenants,
    variants: variants as VariantName[],
    seconds,
    rateSeconds: positive('rate-seconds', pick('rate-seconds', 'BENCH_RATE_SECONDS', '2')),
    connections: positive('connections', pick('connections', 'BENCH_CONNECTIONS', '25')),
    rounds: positive('rounds', pick('rounds', 'BENCH_ROUNDS', '3')),
    alternations: positive('alternations', pick('alternations', 'BENCH_ALTERNATIONS', '3')),
    warmMaxSeconds: positive('warm-max', pick('warm-max', 'BENCH_WARM_MAX', '15')),
    rates: pick('rates', 'BENCH_RATES', '100')
      .split(',')
      .filter(Boolean)
      .map((rate) => positive('rates', rate)),
    syncCustomers: positive('sync-customers', pick('sync-customers', 'BENCH_SYNC_CUSTOMERS', '10000'), 0),
    json: pick('json', 'BENCH_JSON', `bench-results/${stamp}-${db}.json`),
  };
}
