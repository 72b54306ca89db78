import { DataSource } from 'typeorm';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { createTestApp, type TestApp } from '../support/test-app';

describe('The database', () => {
  let testApp: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    testApp = await createTestApp();
    dataSource = testApp.app.get(DataSource);
  });
  afterAll(() => testApp.close());

  it('should have run every committed migration at start, and nothing by synchronize', async () => {
    const applied: { name: string }[] = await dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((row) => row.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(dataSource.options.synchronize).toBe(false);
    await expect(dataSource.showMigrations()).resolves.toBe(false);
  });

  it('should run SQLite in WAL mode with a short busy timeout (it waits on the event loop) and foreign keys on', async () => {
    if (dataSource.options.type !== 'better-sqlite3') return expect(dataSource.options.type).toBe('postgres');
    const [journal] = await dataSource.query('PRAGMA journal_mode');
    const [foreignKeys] = await dataSource.query('PRAGMA foreign_keys');
    const [busy] = await dataSource.query('PRAGMA busy_timeout');
    expect(journal.journal_mode).toBe('wal');
    expect(foreignKeys.foreign_keys).toBe(1);
    expect(Object.values(busy)[0]).toBe(SQLITE_BUSY_TIMEOUT_MS);
    expect(SQLITE_BUSY_TIMEOUT_MS).toBeLessThanOrEqual(50);
  });
});
