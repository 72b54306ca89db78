import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { AttestationsRepository } from '../src/attestations/attestations.repository';
import { Clock } from '../src/common/clock';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { SqlService } from '../src/database/sql.service';
import { peakRssBytes, ReportBuilder, type ReportBuildFigures } from '../src/reports/report-builder';
import type { ReportFormat } from '../src/reports/report-columns';
import { NO_FILTER, type ReportFilter } from '../src/reports/report-filter';
import { ReportFiles } from '../src/reports/report-files';
import { ReportsRepository } from '../src/reports/reports.repository';
import { TenantsRepository } from '../src/tenants/tenants.repository';
import { DEFAULT_BENCH_DATABASE_URL } from './options';
import { freshPostgresDatabase } from './postgres-database';
import { loadAverage } from './proc-stats';
import { seedTenants, seedTenantsPostgres } from './seed-tenants';

// npm run bench:report [-- 100000,1000000] [--db sqlite|postgres] [--profile DIR]: the MCA report of every tenant
// of one broker, CSV and XLSX, each built in a fresh process so that its peak RSS is the report's alone (the
// seeding runs in this parent process), then stored in the database in chunks as the job does. The figures are
// those the job records on /metrics (ReportBuilder.build's). The same figures at two sizes show whether memory grows
// with the rows (it should not: keyset batches, a streamed writer, a chunk at a time into the database): the last
// table gives each format's peak RSS at the largest size over that at the smallest.
const USAGE = `npm run bench:report -- [sizes] [options]
  sizes                  BENCH_REPORT_SIZES (100000,1000000): tenants of the broker, one database per size
  --db sqlite|postgres   BENCH_DB (sqlite)
  --profile DIR          a V8 CPU profile of each build's process, written to DIR
PostgreSQL: BENCH_DATABASE_URL (${DEFAULT_BENCH_DATABASE_URL}); that database is created if missing and EMPTIED.`;

const FORMATS: ReportFormat[] = ['csv', 'xlsx'];
const BROKER_ID = 1;
const REQUEST_ID = 1; // the report request whose file the build stores
// Counts a report may start with, timed in the parent beside the build's own (every tenant).
const COUNTED: { label: string; filter: ReportFilter }[] = [
  { label: 'status "none"', filter: { status: 'none', q: '' } },
  { label: 'search "wingtip labs"', filter: { status: 'all', q: 'wingtip labs' } },
];

interface Figures extends ReportBuildFigures {
  storeMs: number;
  startRssMb: number;
}

interface Target {
  db: 'sqlite' | 'postgres';
  dataDir: string;
  url?: string;
}

async function openDatabase(target: Target): Promise<DataSource> {
  const dataSource = new DataSource(buildDataSourceOptions(target.url, target.dataDir));
  await dataSource.initialize(); // runs the migrations on a new database
  return dataSource;
}

const sqlOf = (dataSource: DataSource) => new SqlService(dataSource, null, { check: () => undefined });

// The child: builds one report, stores it, and prints its figures as JSON.
async function child(target: Target, format: ReportFormat): Promise<void> {
  const dataSource = await openDatabase(target);
  const sql = sqlOf(dataSource);
  const builder = new ReportBuilder(sql, new TenantsRepository(sql), new AttestationsRepository(sql));
  const startRssMb = process.memoryUsage().rss / 1024 / 1024;
  const file = join(target.dataDir, `report.${format}`);
  const built = await builder.build(BROKER_ID, NO_FILTER, format, file, async () => {});
  const stored = performance.now();
  await new ReportFiles(sql, new ReportsRepository(sql), new Clock()).store(REQUEST_ID, file);
  const storeMs = performance.now() - stored;
  // The peak again after the copy into the database, which the job does too.
  const figures: Figures = { ...built, peakRssBytes: await peakRssBytes(), storeMs, startRssMb };
  await dataSource.destroy();
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

// A database holding `size` tenants of one broker and the report request the builds store their file in.
async function prepare(target: Target, size: number): Promise<{ seedS: number }> {
  if (target.url) await freshPostgresDatabase(target.url);
  const dataSource = await openDatabase(target);
  const expires = target.db === 'postgres' ? "now() + interval '7 days'" : "datetime('now', '+7 days')";
  await dataSource.query(`INSERT INTO brokers (id, name) VALUES (${BROKER_ID}, 'Bench Partner')`);
  await dataSource.query(
    `INSERT INTO report_requests (id, broker_id, email, format, filter, expires_at) VALUES (${REQUEST_ID}, ${BROKER_ID}, 'bench@example.test', 'csv', '{}', ${expires})`,
  );
  await dataSource.destroy();
  const started = performance.now();
  if (target.url) await seedTenantsPostgres(target.url, [BROKER_ID], size);
  else seedTenants(join(target.dataDir, 'mca-manager.sqlite'), BROKER_ID, size);
  return { seedS: (performance.now() - started) / 1000 };
}

async function countTimes(target: Target): Promise<string> {
  const dataSource = await openDatabase(target);
  const tenants = new TenantsRepository(sqlOf(dataSource));
  const parts: string[] = [];
  for (const { label, filter } of COUNTED) {
    await tenants.countFiltered(BROKER_ID, filter); // the first read warms the cache, as a running app's is
    const started = performance.now();
    const n = await tenants.countFiltered(BROKER_ID, filter);
    parts.push(`${label} ${(performance.now() - started).toFixed(1)} ms (${n})`);
  }
  await dataSource.destroy();
  return parts.join(', ');
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { db: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (values.help) return console.log(USAGE);
  const db = values.db ?? process.env.BENCH_DB ?? 'sqlite';
  if (db !== 'sqlite' && db !== 'postgres') throw new Error(`--db is sqlite or postgres\n${USAGE}`);
  const sizes = (positionals[0] ?? process.env.BENCH_REPORT_SIZES ?? '100000,1000000').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`Sizes are whole numbers\n${USAGE}`);
  const url = db === 'postgres' ? (process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL) : undefined;
  // The child runs V8 as the app does (src/main.ts sets this flag): without it the old generation grows to about four
  // times the live heap, which at 1,000,000 rows read as memory growing with the rows (160 MB at 100,000, 210 MB).
  const v8 = ['--heap-growing-percent=100'];
  const profile = values.profile ? [`--cpu-prof`, `--cpu-prof-dir=${values.profile}`] : [];

  console.log(
    `MCA report, every tenant of one broker (${db}), ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${new Date().toISOString()}`,
  );
  console.log(
    'Each build in a fresh process: count, build (wall and CPU of the process, as /metrics shows them), then the copy into the database (store); peak RSS of the process.',
  );
  const header =
    '| tenants | format | rows | file | count | build | build CPU | store | peak RSS | RSS before | load |';
  const results = new Map<ReportFormat, { size: number; peakMb: number }[]>(FORMATS.map((f) => [f, []]));
  const counts: string[] = [];
  console.log(`\n${header}\n|${' --- |'.repeat(11)}`);
  for (const size of sizes) {
    const target: Target = { db, dataDir: mkdtempSync(join(tmpdir(), 'mca-report-bench-')), url };
    try {
      const { seedS } = await prepare(target, size);
      counts.push(`${size} tenants (seeded in ${seedS.toFixed(0)} s): ${await countTimes(target)}`);
      for (const format of FORMATS) {
        const load = loadAverage();
        const args = [...v8, ...profile, __filename, 'child', format, target.dataDir, target.url ?? ''];
        const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
        if (run.status !== 0) throw new Error(`The ${format} report failed: ${run.stderr}`);
        const f = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Figures;
        const peakMb = f.peakRssBytes / 1024 / 1024;
        results.get(format)!.push({ size, peakMb });
        console.log(
          `| ${size} | ${format} | ${f.rows} | ${mb(f.bytes)} | ${f.countMs.toFixed(1)} ms | ${seconds(f.wallMs)} | ` +
            `${seconds(f.cpuMs)} | ${seconds(f.storeMs)} | ${peakMb.toFixed(0)} MB | ${f.startRssMb.toFixed(0)} MB | ${load.toFixed(1)} |`,
        );
      }
    } finally {
      rmSync(target.dataDir, { recursive: true, force: true });
    }
  }
  console.log(`\nCounts other reports start with (timed in this process, warm):\n${counts.join('\n')}`);
  if (sizes.length > 1) {
    console.log(`\nPeak RSS at ${sizes.at(-1)} tenants over ${sizes[0]} (target: within 20%):`);
    for (const [format, runs] of results) {
      const ratio = runs.at(-1)!.peakMb / runs[0].peakMb;
      console.log(`  ${format}: ${ratio.toFixed(2)}x ${ratio <= 1.2 ? 'met' : 'NOT met'}`);
    }
  }
}

if (process.argv[2] === 'child') {
  const [, , , format, dataDir, url] = process.argv;
  const target: Target = { db: url ? 'postgres' : 'sqlite', dataDir, url: url || undefined };
  void child(target, format as ReportFormat).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
