import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AttestationsRepository } from '../src/attestations/attestations.repository';
import { Clock } from '../src/common/clock';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { SqlService } from '../src/database/sql.service';
import { ReportBuilder } from '../src/reports/report-builder';
import { ReportFiles } from '../src/reports/report-files';
import type { ReportFormat } from '../src/reports/report-columns';
import { NO_FILTER } from '../src/reports/report-filter';
import { ReportsRepository } from '../src/reports/reports.repository';
import { TenantsRepository } from '../src/tenants/tenants.repository';
import { seedTenants } from './seed-tenants';

// npm run bench:report [-- 10000,100000]: the MCA report of every tenant of one broker, CSV and XLSX, each built in
// a fresh process so that its peak RSS is the report's alone (the seeding runs in this parent process), then stored
// in the database in chunks as the job does. The same figures at two sizes show whether memory grows with the rows
// (it should not: keyset batches, streamed writers, a chunk at a time into the database).
const SIZES = (process.argv[2] ?? process.env.BENCH_REPORT_SIZES ?? '10000,100000').split(',').map(Number);
const FORMATS: ReportFormat[] = ['csv', 'xlsx'];
const REQUEST_ID = 1; // the report request whose file the build stores

interface Figures {
  rows: number;
  bytes: number;
  ms: number;
  storeMs: number;
  cpuMs: number;
  peakRssMb: number;
  startRssMb: number;
}

async function openDatabase(dataDir: string): Promise<DataSource> {
  const dataSource = new DataSource(buildDataSourceOptions(undefined, dataDir));
  await dataSource.initialize(); // runs the migrations on a new file
  return dataSource;
}

// The child: builds one report and prints its figures as JSON.
async function child(dataDir: string, format: ReportFormat): Promise<void> {
  const dataSource = await openDatabase(dataDir);
  const sql = new SqlService(dataSource, null, { check: () => undefined });
  const builder = new ReportBuilder(sql, new TenantsRepository(sql), new AttestationsRepository(sql));
  const startRssMb = process.memoryUsage().rss / 1024 / 1024;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const file = join(dataDir, `report.${format}`);
  const { rows } = await builder.build(1, NO_FILTER, format, file, async () => {});
  const built = performance.now();
  const bytes = await new ReportFiles(sql, new ReportsRepository(sql), new Clock()).store(REQUEST_ID, file);
  const ms = performance.now() - started;
  const storeMs = performance.now() - built;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  await dataSource.destroy();
  const figures: Figures = { rows, bytes, ms, storeMs, cpuMs, peakRssMb, startRssMb };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

async function main(): Promise<void> {
  console.log('MCA report, every tenant of one broker (SQLite): build time and peak RSS of the building process');
  // CPU time beside the wall time: on a shared machine the wall time also counts the waits for a core.
  console.log('tenants   format  rows      file        time      (store)   CPU       peak RSS  (RSS before the build)');
  for (const size of SIZES) {
    const dataDir = mkdtempSync(join(tmpdir(), 'mca-report-bench-'));
    try {
      const dataSource = await openDatabase(dataDir);
      await dataSource.query(`INSERT INTO brokers (id, name) VALUES (1, 'Bench Partner')`);
      await dataSource.query(
        `INSERT INTO report_requests (id, broker_id, email, format, filter, expires_at) VALUES (${REQUEST_ID}, 1, 'bench@example.test', 'csv', '{}', datetime('now', '+7 days'))`,
      );
      await dataSource.destroy();
      seedTenants(join(dataDir, 'mca-manager.sqlite'), 1, size);
      for (const format of FORMATS) {
        const run = spawnSync(process.execPath, [__filename, 'child', dataDir, format], { encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`The ${format} report failed: ${run.stderr}`);
        const f = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Figures;
        console.log(
          `${String(size).padEnd(9)} ${format.padEnd(7)} ${String(f.rows).padEnd(9)} ${`${(f.bytes / 1024 / 1024).toFixed(1)} MB`.padEnd(11)} ` +
            `${`${(f.ms / 1000).toFixed(2)} s`.padEnd(9)} ${`${(f.storeMs / 1000).toFixed(2)} s`.padEnd(9)} ` +
            `${`${(f.cpuMs / 1000).toFixed(2)} s`.padEnd(9)} ` +
            `${`${f.peakRssMb.toFixed(0)} MB`.padEnd(9)} (${f.startRssMb.toFixed(0)} MB)`,
        );
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

if (process.argv[2] === 'child') {
  void child(process.argv[3], process.argv[4] as ReportFormat).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
