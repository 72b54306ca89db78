import { SqlService } from '../../src/database/sql.service';
import { createTestApp, type TestApp } from '../support/test-app';

// Reads whose rows are arrays (a report's batches): the same values as `run`, by position, on both drivers.
describe('SqlService.runArrays', () => {
  let testApp: TestApp;
  let sql: SqlService;
  const p = (index: number) => sql.dialect.placeholder(index);

  beforeAll(async () => {
    testApp = await createTestApp();
    sql = testApp.app.get(SqlService);
    for (const name of ['Contoso', "x'; DROP TABLE brokers; --", 'Fabrikam'])
      await sql.transaction((tx) => tx.query`INSERT INTO brokers (name) VALUES (${name})`);
  });
  afterAll(() => testApp.close());

  it("should give each row's values in the statement's column order, a repeated column twice, every value bound", async () => {
    const rows = await sql.runArrays<[string, number | string, null, string]>(
      `SELECT name, id, NULL, name FROM brokers WHERE name <> ${p(1)} ORDER BY name`,
      ["x'; DROP TABLE brokers; --"],
    );
    expect(rows.map(([name, id, nothing, again]) => [name, Number(id), nothing, again])).toEqual([
      ['Contoso', expect.any(Number), null, 'Contoso'],
      ['Fabrikam', expect.any(Number), null, 'Fabrikam'],
    ]);
    const objects = await sql.run<{ id: number | string }>(
      `SELECT id FROM brokers WHERE name <> ${p(1)} ORDER BY name`,
      ["x'; DROP TABLE brokers; --"],
    );
    expect(rows.map((row) => Number(row[1]))).toEqual(objects.map((row) => Number(row.id)));
  });

  it('should leave the same statement giving objects to `run`, also after a read of arrays that failed', async () => {
    const text = `SELECT name FROM brokers WHERE name = ${p(1)}`;
    await expect(sql.runArrays(text, ['Contoso'])).resolves.toEqual([['Contoso']]);
    await expect(sql.run(text, ['Contoso'])).resolves.toEqual([{ name: 'Contoso' }]);
    await expect(sql.runArrays(text, [])).rejects.toThrow();
    await expect(sql.run(text, ['Fabrikam'])).resolves.toEqual([{ name: 'Fabrikam' }]);
    await expect(sql.runArrays(text, ['Fabrikam'])).resolves.toEqual([['Fabrikam']]);
  });

  // On PostgreSQL each read borrows a connection of the pool (10): one kept would leave the app without any.
  // (The failure is matched by its message: better-sqlite3 makes its errors with the class of the first test file
  // that loaded it in this jest worker, which is not an Error of this file's realm, so `toThrow` would not see one.)
  it('should give back its connection after every read, failed or not', async () => {
    for (let i = 0; i < 25; i++) {
      await expect(sql.runArrays('SELECT no_such_column FROM brokers', [])).rejects.toHaveProperty(
        'message',
        expect.stringMatching(/no_such_column/),
      );
      await expect(sql.runArrays('SELECT count(*) FROM brokers', [])).resolves.toEqual([[expect.anything()]]);
    }
    await expect(sql.query<{ n: number | string }>`SELECT count(*) AS n FROM brokers`).resolves.toEqual([
      { n: expect.anything() },
    ]);
  });
});
