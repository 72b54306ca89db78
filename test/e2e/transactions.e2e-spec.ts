import { SqlService } from '../../src/database/sql.service';
import { gate } from '../support/sandbox';
import { createTestApp, type TestApp } from '../support/test-app';

// The bug this guards against: on SQLite, TypeORM nests overlapping transactions as savepoints of one, so a
// rollback of the outer one lost the inner one's committed write, and readers saw uncommitted rows.
describe('transaction(fn)', () => {
  let testApp: TestApp;
  let sql: SqlService;
  const names = async () =>
    (await sql.query<{ name: string }>`SELECT name FROM brokers ORDER BY name`).map((row) => row.name);

  beforeAll(async () => {
    testApp = await createTestApp();
    sql = testApp.app.get(SqlService);
  });
  afterAll(() => testApp.close());

  it('should keep a committed write when an overlapping transaction rolls back, and hide uncommitted rows', async () => {
    const aWrote = gate();
    const bDone = gate();
    const a = sql.transaction(async (tx) => {
      await tx.query`INSERT INTO brokers (name) VALUES (${'A rolled back'})`;
      aWrote.open();
      await bDone.held;
      throw new Error('A fails after B committed');
    });
    await aWrote.held;
    // A reader outside A sees nothing of it while it is open.
    expect(await names()).not.toContain('A rolled back');
    const b = sql.transaction(async (tx) => {
      await tx.query`INSERT INTO brokers (name) VALUES (${'B committed'})`;
      return 'b';
    });
    // On SQLite B waits for A (serialised); on PostgreSQL it commits at once. Either way A ends first or B does.
    bDone.open();
    await expect(a).rejects.toThrow('A fails after B committed');
    await expect(b).resolves.toBe('b');
    expect(await names()).toEqual(['B committed']);
  });

  it('should join the outer transaction when one is opened inside another, and roll back both together', async () => {
    await expect(
      sql.transaction(async (outer) => {
        await outer.query`INSERT INTO brokers (name) VALUES (${'outer'})`;
        await sql.transaction((inner) => inner.query`INSERT INTO brokers (name) VALUES (${'inner'})`);
        throw new Error('undo both');
      }),
    ).rejects.toThrow('undo both');
    expect(await names()).toEqual(['B committed']);
  });

  it('should run after-commit work only when the transaction committed', async () => {
    const ran: string[] = [];
    await sql.transaction(async (tx) => tx.afterCommit(() => ran.push('committed')));
    await sql
      .transaction(async (tx) => {
        tx.afterCommit(() => ran.push('rolled back'));
        throw new Error('no');
      })
      .catch(() => undefined);
    expect(ran).toEqual(['committed']);
  });

  // A sync writes ten thousand tenants in a hundred transactions: on SQLite (synchronous underneath) their awaits
  // would chain without ever letting a waiting request run.
  it('should let the event loop serve others between one transaction and the next', async () => {
    const turns = new Set<number>();
    let committed = 0;
    let serving = true;
    const serveOthers = () => {
      turns.add(committed);
      if (serving) setImmediate(serveOthers);
    };
    setImmediate(serveOthers);
    for (let i = 0; i < 5; i++) {
      await sql.transaction((tx) => tx.query`INSERT INTO brokers (name) VALUES (${`turn ${i}`})`);
      committed += 1;
    }
    serving = false;
    expect([...turns].filter((n) => n < 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('should serialise many overlapping writes without losing one', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sql.transaction((tx) => tx.query`INSERT INTO brokers (name) VALUES (${`many ${i}`})`),
      ),
    );
    expect((await names()).filter((name) => name.startsWith('many '))).toHaveLength(20);
  });

  it("should tell a duplicate key from other refusals, and lock rows with the dialect's FOR UPDATE", async () => {
    const { dialect } = sql;
    await sql.transaction((tx) =>
      tx.run('CREATE TABLE dialect_probe (k INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)', []),
    );
    try {
      await sql.transaction((tx) => tx.query`INSERT INTO dialect_probe (k, v) VALUES (${1}, ${'one'})`);
      const refusal = (work: Parameters<SqlService['transaction']>[0]) =>
        sql.transaction(work).then(
          () => new Error('not refused'),
          (error: unknown) => error,
        );
      expect(
        dialect.isUniqueViolation(
          await refusal((tx) => tx.query`INSERT INTO dialect_probe (k, v) VALUES (${2}, ${'one'})`),
        ),
      ).toBe(true);
      expect(
        dialect.isUniqueViolation(
          await refusal((tx) => tx.query`INSERT INTO dialect_probe (k, v) VALUES (${1}, ${'two'})`),
        ),
      ).toBe(true);
      expect(
        dialect.isUniqueViolation(
          await refusal((tx) => tx.query`INSERT INTO dialect_probe (k, v) VALUES (${3}, ${null})`),
        ),
      ).toBe(false);
      expect(dialect.isUniqueViolation(new Error('UNIQUE constraint failed'))).toBe(false);
      const locked = await sql.transaction((tx) =>
        tx.run<{ v: string }>(
          `SELECT v FROM dialect_probe WHERE k = ${dialect.placeholder(1)}${dialect.forUpdate()}`,
          [1],
        ),
      );
      expect(locked).toEqual([{ v: 'one' }]);
      const skipping = await sql.transaction((tx) =>
        tx.run<{ v: string }>(`SELECT v FROM dialect_probe${dialect.forUpdate({ skipLocked: true })}`, []),
      );
      expect(skipping).toEqual([{ v: 'one' }]);
    } finally {
      await sql.transaction((tx) => tx.run('DROP TABLE dialect_probe', []));
    }
  });
});
