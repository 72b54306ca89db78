import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { useBinaryTypeOf } from './column-types';
import { SQLITE_FILE } from './installation';
import { MIGRATIONS } from './migrations';

// How long SQLite itself waits for a lock held by another connection. It waits synchronously, on the event loop, so
// it stays short: SqlService waits longer, asynchronously, and tries again.
export const SQLITE_BUSY_TIMEOUT_MS = 10;
// How long a PostgreSQL connection may take to open before the request is told the database cannot be reached
// (pg's default is to wait for ever).
const POSTGRES_CONNECT_TIMEOUT_MS = 5000;

// The migrations' names, oldest first, as TypeORM records them in `migrations`: what a backup's schema is checked
// against before it is restored.
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((migration) => new migration().name!);

export function buildDataSourceOptions(databaseUrl: string | undefined, dataDir: string): DataSourceOptions {
  // Each feature registers its own entities (TypeOrmModule.forFeature, autoLoadEntities); a data source built
  // outside Nest (the migration test, the bench) runs migrations and statements only.
  const common = {
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
  } as const;
  useBinaryTypeOf(databaseUrl ? 'postgres' : 'sqlite');
  if (databaseUrl) {
    return {
      ...common,
      type: 'postgres',
      url: databaseUrl,
      extra: { max: 10, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS },
    };
  }
  mkdirSync(dataDir, { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: join(dataDir, SQLITE_FILE),
    enableWAL: true,
    prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
      db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
    },
  };
}
