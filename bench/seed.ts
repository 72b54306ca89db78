import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { DEFAULT_BENCH_DATABASE_URL } from './options';
import { freshPostgresDatabase } from './postgres-database';
import { seedTenants, seedTenantsPostgres } from './seed-tenants';

// npm run bench:seed -- [--db sqlite|postgres] [--counts 100000,100000,100000,100000,1000000]: a new database
// (SQLite in a temporary folder; PostgreSQL at BENCH_DATABASE_URL, EMPTIED) migrated as the app does, brokers
// made for each count, and their tenants seeded; prints how long the seeding took. The MCA page bench seeds the same
// way; this measures the seeding alone.
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: process.env.BENCH_DB ?? 'sqlite' },
      counts: { type: 'string', default: '100000,100000,100000,100000,1000000' },
    },
  });
  const counts = (values.counts ?? '').split(',').map(Number);
  const postgres = values.db === 'postgres';
  const url = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
  const dataDir = mkdtempSync(join(tmpdir(), 'mca-seed-'));
  if (postgres) await freshPostgresDatabase(url);
  const dataSource = new DataSource(buildDataSourceOptions(postgres ? url : undefined, dataDir));
  await dataSource.initialize();
  const brokerIds: number[] = [];
  for (const [index] of counts.entries()) {
    const [row] = (await dataSource.query(
      postgres
        ? 'INSERT INTO brokers (name) VALUES ($1) RETURNING id'
        : 'INSERT INTO brokers (name) VALUES (?) RETURNING id',
      [`Seed broker ${index + 1}`],
    )) as { id: number }[];
    brokerIds.push(Number(row.id));
  }
  await dataSource.destroy();
  const started = performance.now();
  if (postgres) await seedTenantsPostgres(url, brokerIds, counts);
  else seedTenants(join(dataDir, 'mca-manager.sqlite'), brokerIds, counts);
  const total = counts.reduce((sum, n) => sum + n, 0);
  console.log(
    `Seeded ${total.toLocaleString('en-GB')} tenants (${counts.map((n) => n.toLocaleString('en-GB')).join(' + ')}) on ${postgres ? 'PostgreSQL' : 'SQLite'} in ${((performance.now() - started) / 1000).toFixed(1)} s${postgres ? '' : ` (${dataDir})`}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
