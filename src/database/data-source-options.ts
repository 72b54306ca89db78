import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

// The migrations' names, oldest first, as TypeORM records them in `migrations`: what a backup's schema is checked
// against before it is restored.
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((migration) => new migration().name!);

export function buildDataSourceOptions(databaseUrl: string | undefined, dataDir: string): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
  } as const;
  if (databaseUrl) {
    return { ...common, type: 'postgres', url: databaseUrl, extra: { max: 10 } };
  }
  mkdirSync(dataDir, { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: join(dataDir, 'mca-manager.sqlite'),
    enableWAL: true,
    prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
    },
  };
}
