import Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { nativeSqliteHandle, StatementCache } from './native-sqlite';

const dataSourceWith = (driver: Record<string, unknown>) => ({ driver }) as unknown as DataSource;

describe(nativeSqliteHandle.name, () => {
  it("should return TypeORM's better-sqlite3 handle", () => {
    const database = new Database(':memory:');
    expect(nativeSqliteHandle(dataSourceWith({ databaseConnection: database }))).toBe(database);
    database.close();
  });

  it('should fail loudly when TypeORM renames the handle', () => {
    const database = new Database(':memory:');
    expect(() => nativeSqliteHandle(dataSourceWith({ nativeDatabase: database }))).toThrow(
      /no longer exposes the better-sqlite3 handle/,
    );
    expect(() => nativeSqliteHandle(dataSourceWith({ databaseConnection: { prepare: 'not a function' } }))).toThrow(
      /update src\/database\/native-sqlite.ts/,
    );
    database.close();
  });
});

describe(StatementCache.name, () => {
  it('should bind every value as a parameter, through a statement prepared once per text', () => {
    const database = new Database(':memory:');
    database.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x''; DROP TABLE t; --'), (2, 'y')");
    const prepare = jest.spyOn(database, 'prepare');
    const cache = new StatementCache(database);
    const sql = 'SELECT a FROM t WHERE a = ? AND b = ?';
    expect(cache.all(sql, [1, "x'; DROP TABLE t; --"])).toEqual([{ a: 1 }]);
    expect(cache.all(sql, [2, 'y'])).toEqual([{ a: 2 }]);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(cache.all('SELECT count(*) AS a FROM t', [])).toEqual([{ a: 2 }]);
    database.close();
  });

  it('should run a statement that returns no rows and answer an empty list', () => {
    const database = new Database(':memory:');
    database.exec('CREATE TABLE t (a INTEGER)');
    const cache = new StatementCache(database);
    expect(cache.all('INSERT INTO t VALUES (?)', [5])).toEqual([]);
    expect(cache.all('SELECT a FROM t', [])).toEqual([{ a: 5 }]);
    database.close();
  });

  it("should give rows as arrays in the statement's column order for that read only", () => {
    const database = new Database(':memory:');
    database.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, NULL)");
    const cache = new StatementCache(database);
    const sql = 'SELECT b, a, b FROM t WHERE a >= ? ORDER BY a';
    expect(cache.arrays(sql, [1])).toEqual([
      ['x', 1, 'x'],
      [null, 2, null],
    ]);
    expect(cache.all(sql, [2])).toEqual([{ a: 2, b: null }]);
    expect(() => cache.arrays(sql, [])).toThrow(/Too few parameter values/);
    expect(cache.all(sql, [2])).toEqual([{ a: 2, b: null }]);
    database.close();
  });
});
