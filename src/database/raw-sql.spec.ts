import type { DataSource } from 'typeorm';
import { rawQuery, timestampFromRow } from './raw-sql';

const recording = (type: string) => {
  const calls: [string, unknown[]][] = [];
  const dataSource = { options: { type }, query: async (sql: string, params: unknown[]) => (calls.push([sql, params]), []) } as unknown as DataSource;
  return { dataSource, calls };
};

describe(rawQuery.name, () => {
  it('should bind every value as a positional parameter on SQLite', async () => {
    const { dataSource, calls } = recording('better-sqlite3');
    await rawQuery(dataSource)`SELECT * FROM t WHERE a = ${1} AND b = ${"x'; DROP TABLE t; --"}`;
    expect(calls).toEqual([['SELECT * FROM t WHERE a = ? AND b = ?', [1, "x'; DROP TABLE t; --"]]]);
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
