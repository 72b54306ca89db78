import type { Database, Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';

// The one reach into TypeORM's private better-sqlite3 handle (prepared statements cost a fraction of a query
// runner per call). Checked when the app starts, so a TypeORM that renames it fails loudly at once, not later.
export function nativeSqliteHandle(dataSource: DataSource): Database {
  const handle = (dataSource.driver as unknown as { databaseConnection?: Partial<Database> }).databaseConnection;
  if (!handle || typeof handle.prepare !== 'function' || typeof handle.pragma !== 'function') {
    throw new Error(
      'TypeORM no longer exposes the better-sqlite3 handle as driver.databaseConnection: update src/database/native-sqlite.ts',
    );
  }
  return handle as Database;
}

// Statement texts come from a finite set of shapes (values are parameters); the bound is a guard, not a policy.
const MAX_STATEMENTS = 500;

export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly database: Database) {}

  get(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
      this.statements.set(sql, (statement = this.database.prepare(sql)));
    }
    return statement;
  }

  all<T>(sql: string, params: readonly unknown[]): T[] {
    const statement = this.get(sql);
    return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
  }

  // Each row as an array of its values in the statement's column order. Raw mode is the statement's own state, so it
  // is set for this call only: the same text read by `all` still gets objects.
  arrays<T extends readonly unknown[]>(sql: string, params: readonly unknown[]): T[] {
    const statement = this.get(sql).raw(true);
    try {
      return statement.all(...params) as T[];
    } finally {
      statement.raw(false);
    }
  }
}

// TypeORM begins a SQLite transaction DEFERRED: the write lock is taken at the first write, so a database locked
// elsewhere fails the transaction halfway, after its reads. The write connection begins IMMEDIATE instead: the lock
// is taken by BEGIN itself, before any work, and a busy database's transaction can simply be run again whole.
const DEFERRED_BEGIN = 'BEGIN TRANSACTION';

export function beginImmediate(dataSource: DataSource): void {
  // better-sqlite3's driver has one query runner per data source, the one every transaction of it runs on.
  const runner = dataSource.createQueryRunner();
  const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) =>
    query(sql === DEFERRED_BEGIN ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest)) as typeof runner.query;
  if (dataSource.createQueryRunner() !== runner)
    throw new Error(
      'TypeORM no longer shares one query runner per better-sqlite3 data source: update src/database/native-sqlite.ts',
    );
}
