import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, type EntityManager } from 'typeorm';
import { POSTGRES, SQLITE, type Dialect } from './dialect';
import { nativeSqliteHandle, StatementCache } from './native-sqlite';

export const WRITE_DATA_SOURCE = Symbol('WRITE_DATA_SOURCE');

export type SqlTemplate = <T>(strings: TemplateStringsArray, ...values: unknown[]) => Promise<T[]>;

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

class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
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
  async run<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.statements ? this.statements.all<T>(sql, params) : this.dataSource.query<T[]>(sql, params as unknown[]);
  }

  // Runs `work` in a transaction isolated from every other; a call inside another transaction's work joins it.
  // Keep the work short on SQLite: every other write of the process waits for it.
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const outer = this.current.getStore();
    if (outer) return work(outer);
    const afterCommit: (() => unknown)[] = [];
    const execute = (manager: EntityManager) => {
      const tx: Tx = {
        manager,
        dialect: this.dialect,
        query: (strings, ...values) => tx.run(compile(this.dialect, strings), values),
        run: <R>(sql: string, params: readonly unknown[]) => manager.query<R[]>(sql, params as unknown[]),
        afterCommit: (fn) => void afterCommit.push(fn),
      };
      return this.current.run(tx, () => work(tx));
    };
    let result: T;
    if (this.writeDataSource) {
      result = await this.writes.run(() => this.writeDataSource!.transaction(execute));
      // better-sqlite3 answers synchronously, so the awaits of a loop of transactions (a sync's batches) would chain
      // as microtasks and never let the event loop serve a request; every commit gives it a turn.
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      result = await this.dataSource.transaction(execute);
    }
    for (const fn of afterCommit) {
      try {
        await fn();
      } catch (error) {
        this.logger.error(`After commit: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
    return result;
  }

  // The transaction the caller is inside, if any (for code that may run either way).
  currentTransaction(): Tx | undefined {
    return this.current.getStore();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.writeDataSource?.isInitialized) await this.writes.run(() => this.writeDataSource!.destroy());
  }
}
