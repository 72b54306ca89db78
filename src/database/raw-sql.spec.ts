import Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { rawQuery, timestampFromRow } from './raw-sql';

const recording = (type: string) => {
  const calls: [string, unknown[]][] = [];
  const dataSource = {
    options: { type },
    query: async (sql: string, params: unknown[]) => (calls.push([sql, params]), []),
  } as unknown as DataSource;
  return { dataSource, calls };
};

describe(rawQuery.name, () => {
  it('should bind every value as a parameter on SQLite, through a prepared statement', async () => {
    const database = new Database(':memory:');
    database.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x''; DROP TABLE t; --'), (2, 'y')");
    const dataSource = {
      options: { type: 'better-sqlite3' },
      driver: { databaseConnection: database },
    } as unknown as DataSource;
    const query = rawQuery<{ a: number }>(dataSource);
    await expect(query`SELECT a FROM t WHERE a = ${1} AND b = ${"x'; DROP TABLE t; --"}`).resolves.toEqual([{ a: 1 }]);
    await expect(query`SELECT a FROM t WHERE a = ${1} AND b = ${"x'; DROP TABLE t; --"}`).resolves.toEqual([{ a: 1 }]);
    await expect(query`SELECT count(*) AS a FROM t`).resolves.toEqual([{ a: 2 }]);
    database.close();
  });

  it('should number the parameters on PostgreSQL', async () => {
    const { dataSource, calls } = recording('postgres');
    await rawQuery(dataSource)`SELECT * FROM t WHERE a = ${1} AND b = ${2}`;
    expect(calls[0][0]).toBe('SELECT * FROM t WHERE a = $1 AND b = $2');
  });
});

describe(timestampFromRow.name, () => {
  it('should read SQLite text as UTC and keep PostgreSQL dates', () => {
    expect(timestampFromRow('2026-11-25 21:00:00.123')?.toISOString()).toBe('2026-11-25T21:00:00.123Z');
    expect(timestampFromRow('2026-11-25 21:00:00')?.toISOString()).toBe('2026-11-25T21:00:00.000Z');
    const date = new Date();
    expect(timestampFromRow(date)).toBe(date);
    expect(timestampFromRow(null)).toBeNull();
  });
});
