import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PoolClient } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { DatabaseBusyError, DatabaseUnreachableError, isConnectionFailure, isSqliteBusy } from './database-errors';
import { POSTGRES, SQLITE, type Dialect } from './dialect';
import { InstallationCheck } from './installation-check.service';
import { nativeSqliteHandle, StatementCache } from './native-sqlite';

export const WRITE_DATA_SOURCE = Symbol('WRITE_DATA_SOURCE');

export type SqlTemplate = <T>(strings: TemplateStringsArray, ...values: unknown[]) => Promise<T[]>;

// Asked before each use of the database: throws once the database must not be used (InstallationCheck).
export interface DatabaseGate {
  check(): void | Promise<void>;
}

// Reads by statement text: what code that only reads needs (the MCA page's list, shared with the bench's server).
export interface SqlReader {
  readonly dialect: Dialect;
  run<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
}

// A transaction in progress: its entity manager, raw statements inside it, and work to do once it committed.
export interface Tx {
  readonly manager: EntityManager;
  readonly dialect: Dialect;
  query: SqlTemplate;
  run<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  afterCommit(work: () => unknown): void;
}

// Text with `${value}` turned into the dialect's placeholders; values are always bound, never spliced.
export function compile(dialect: Dialect, strings: TemplateStringsArray): string {
  return strings.reduce((text, part, i) => (i === 0 ? part : `${text}${dialect.placeholder(i)}${part}`), '');
}

// A reader's statements written as a template: `${value}` bound as the dialect's placeholders.
export const templateOf =
  (reader: SqlReader): SqlTemplate =>
  (strings, ...values) =>
    reader.run(compile(reader.dialect, strings), values);

// An UPDATE or DELETE with RETURNING inside a transaction, giving the returned rows on both drivers (TypeORM's
// PostgreSQL runner hands back [rows, rowCount] for those two commands, SQLite's the rows).
export async function writeReturning<T>(tx: Tx, sql: string, params: readonly unknown[]): Promise<T[]> {
  const result = (await tx.run<unknown>(sql, params)) as unknown;
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

// How long a database that another connection has locked may keep a caller waiting in all (a request, a job's
// step) before it is told the database is busy. Within it the seam waits asynchronously and tries again.
export const BUSY_BUDGET_MS = 2000;
const FIRST_RETRY_MS = 5;
const LONGEST_RETRY_MS = 200;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  // better-sqlite3 answers synchronously, so queued work would otherwise run back to back in one turn of the event
  // loop (a sync's batches, or every queued write each waiting its busy timeout): each gets a turn of its own.
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(nextTurn).then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

// One mutex per database file in the process: two app instances in one process (tests) would otherwise deadlock,
// one blocking the event loop in SQLite's busy wait while the other's open write transaction waits on that loop.
const writeMutexes = new Map<string, Mutex>();
function writeMutexFor(database: string): Mutex {
  let mutex = writeMutexes.get(database);
  if (!mutex) writeMutexes.set(database, (mutex = new Mutex()));
  return mutex;
}

// The one SQL seam: reads by statement (prepared on SQLite), and the one `transaction(fn)` every write goes through.
//
// Why a second connection on SQLite: TypeORM 1.1's better-sqlite3 driver hands every caller one query runner and
// nests an overlapping transaction as a savepoint, so two transactions that overlap in time become one (a rollback
// of either loses the other's committed write) and readers see uncommitted rows. Here write transactions run on a
// connection of their own, one at a time (the mutex); reads stay on the main connection and see committed data
// only (WAL). PostgreSQL's pool already gives each transaction its own connection.
//
// A database locked by another process (a backup, an admin's sqlite3 shell, another instance) never freezes the
// event loop: SQLite itself waits only SQLITE_BUSY_TIMEOUT_MS (data-source-options.ts); beyond that this seam waits
// asynchronously and tries again, the whole transaction (it begins IMMEDIATE, so the lock is taken before any work),
// until BUSY_BUDGET_MS, and then throws DatabaseBusyError (503 with Retry-After). And every use of the database
// first passes InstallationCheck's gate, so a database deleted or replaced under the app is never used.
@Injectable()
export class SqlService implements SqlReader, OnApplicationShutdown {
  private readonly logger = new Logger(SqlService.name);
  readonly dialect: Dialect;
  private readonly statements: StatementCache | null;
  private readonly writes: Mutex;
  private readonly current = new AsyncLocalStorage<Tx>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(WRITE_DATA_SOURCE) private readonly writeDataSource: DataSource | null,
    @Inject(InstallationCheck) private readonly gate: DatabaseGate,
  ) {
    this.dialect = dataSource.options.type === 'postgres' ? POSTGRES : SQLITE;
    this.statements = this.dialect === SQLITE ? new StatementCache(nativeSqliteHandle(dataSource)) : null;
    this.writes = writeMutexFor(String(dataSource.options.database ?? ''));
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  readonly query: SqlTemplate = templateOf(this);

  // A read outside any transaction (committed data only).
  run<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.read(
      (statements) => statements.all<T>(sql, params),
      () => this.dataSource.query<T[]>(sql, params as unknown[]),
    );
  }

  // A read like `run`, each row an array of its values in the statement's column order, for reads of many rows: the
  // drivers' object per row was half the CPU of reading a report's 100,000 rows (better-sqlite3: 0.42 s, 0.21 s as
  // arrays). On PostgreSQL through a pooled connection of TypeORM's, as TypeORM's own query has no array rows.
  runArrays<T extends readonly unknown[]>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.read(
      (statements) => statements.arrays<T>(sql, params),
      async () => {
        const runner = this.dataSource.createQueryRunner();
        try {
          const client = (await runner.connect()) as PoolClient;
          return (await client.query<T & unknown[]>({ text: sql, values: [...params], rowMode: 'array' })).rows;
        } finally {
          await runner.release();
        }
      },
    );
  }

  private async read<T>(sqlite: (statements: StatementCache) => T, postgres: () => Promise<T>): Promise<T> {
    const gate = this.gate.check();
    if (gate) await gate;
    const statements = this.statements;
    if (statements) return this.retryWhileBusy(async () => sqlite(statements));
    return this.unlessUnreachable(postgres);
  }

  // Runs `work` in a transaction isolated from every other; a call inside another transaction's work joins it.
  // Keep the work short on SQLite: every other write of the process waits for it.
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const outer = this.current.getStore();
    if (outer) return work(outer);
    const gate = this.gate.check();
    if (gate) await gate;
    const afterCommit: (() => unknown)[] = [];
    const execute = (manager: EntityManager) => {
      afterCommit.length = 0; // a busy database's retry runs the work again from the start
      const tx: Tx = {
        manager,
        dialect: this.dialect,
        query: (strings, ...values) => tx.run(compile(this.dialect, strings), values),
        run: <R>(sql: string, params: readonly unknown[]) => manager.query<R[]>(sql, params as unknown[]),
        afterCommit: (fn) => void afterCommit.push(fn),
      };
      return this.current.run(tx, () => work(tx));
    };
    const writeDataSource = this.writeDataSource;
    const result = writeDataSource
      ? await this.retryWhileBusy(() => this.writes.run(() => writeDataSource.transaction(execute)))
      : await this.unlessUnreachable(() => this.dataSource.transaction(execute));
    for (const fn of afterCommit) {
      try {
        await fn();
      } catch (error) {
        this.logger.error(`After commit: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
    return result;
  }

  private async retryWhileBusy<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = performance.now() + BUSY_BUDGET_MS;
    for (let wait = FIRST_RETRY_MS; ; wait = Math.min(wait * 2, LONGEST_RETRY_MS)) {
      try {
        return await attempt();
      } catch (error) {
        if (!isSqliteBusy(error)) throw error;
        const left = deadline - performance.now();
        if (left <= 0) throw new DatabaseBusyError();
        await new Promise((resolve) => setTimeout(resolve, Math.min(left, wait * (0.5 + Math.random()))));
      }
    }
  }

  // PostgreSQL restarting or out of reach: a page a person can act on, not a 500. Not retried here: a transaction
  // whose COMMIT lost its connection may have committed. The pool connects again on the next use.
  private async unlessUnreachable<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw isConnectionFailure(error) ? new DatabaseUnreachableError() : error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.writeDataSource?.isInitialized) await this.writes.run(() => this.writeDataSource!.destroy());
  }
}
