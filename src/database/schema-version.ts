import type { Database } from 'better-sqlite3';
import type { SqlReader } from './sql.service';

// The schema version of a database: the name of the last migration it ran (TypeORM's own table).
const LAST_MIGRATION = 'SELECT name FROM migrations ORDER BY timestamp DESC LIMIT 1';

export async function schemaVersionOf(reader: SqlReader): Promise<string> {
  const [row] = await reader.run<{ name: string }>(LAST_MIGRATION, []);
  return row.name;
}

// Of an SQLite file opened on its own (a backup's copy), outside the app's connections.
export function schemaVersionOfFile(file: Database): string {
  return (file.prepare(LAST_MIGRATION).get() as { name: string }).name;
}
