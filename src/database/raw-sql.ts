import type { Database, Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';

// For the few reads that every request makes (its session, its user, the sync summary): TypeORM's query building
// costs several times more than these indexed lookups themselves. Everything else goes through entities.
// Values are always bound as parameters: `${value}` in the template becomes `?` (SQLite) or `$n` (PostgreSQL).
// On SQLite the statement goes straight to better-sqlite3, prepared once per text (a query runner per call is
// most of the cost of a lookup that takes microseconds).
export function rawQuery<T>(dataSource: DataSource) {
  const postgres = dataSource.options.type === 'postgres';
  const run = preparedQuery(dataSource);
  return (strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> =>
    run<T>(
      strings.reduce((text, part, i) => (i === 0 ? part : `${text}${postgres ? `$${i}` : '?'}${part}`), ''),
      values,
    );
}

// The same for statements written out elsewhere with their parameters (the MCA page's list, src/tenants).
export function preparedQuery(dataSource: DataSource) {
  const database =
    dataSource.options.type === 'postgres'
      ? null
      : (dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
  return async <T>(sql: string, params: unknown[]): Promise<T[]> =>
    database ? (prepared(database, sql).all(...params) as T[]) : dataSource.query(sql, params);
}

const statements = new WeakMap<Database, Map<string, Statement>>();
// Statement texts come from a finite set of shapes (values are parameters); the bound is a guard, not a policy.
const MAX_STATEMENTS = 500;

function prepared(database: Database, sql: string): Statement {
  let cache = statements.get(database);
  if (!cache) statements.set(database, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) {
    if (cache.size >= MAX_STATEMENTS) cache.clear();
    cache.set(sql, (statement = database.prepare(sql)));
  }
  return statement;
}

// A timestamp as the driver returns it: a Date from PostgreSQL; from SQLite, TypeORM's UTC text without a zone.
export function timestampFromRow(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}
