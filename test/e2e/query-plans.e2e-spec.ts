import { randomUUID } from 'node:crypto';
import { SqlService } from '../../src/database/sql.service';
import { DEFAULT_MCA_QUERY, type McaQuery } from '../../src/tenants/mca-query';
import {
  cursorRowStatement,
  pageStatement,
  rowsStatement,
  searchCountsStatement,
  searchPageStatement,
  seekStatements,
  statusCountsStatement,
  attestationCountsStatement,
  filteredBatchStatement,
  type SqlStatement,
} from '../../src/tenants/tenants.repository';
import { TENANT_STATUSES } from '../../src/tenants/tenant-status';
import { queryPlan, type PgNode } from '../support/query-plan';
import { createTestApp, type TestApp } from '../support/test-app';
import { createBroker } from '../support/tenants';

// The MCA page's statements, planned by the database itself on a few thousand tenants: each one reads through its
// index and none scans `tenants` whole. (On PostgreSQL after VACUUM ANALYZE, so that the planner weighs real numbers.)
// Names made of syllables, and random tenant ids: text as varied as real customers' (a handful of repeated words
// would make every trigram common, and a whole-table read the right plan for that data).
const SYLLABLES = 'ka lo mi ne ru sa to vi be da fe gu ho ji ly po qu ri su ta ul ve wo xa yo ze ar en is ox'.split(
  ' ',
);
const syllables = (n: number, count: number) =>
  Array.from({ length: count }, (_, i) => SYLLABLES[Math.floor(n / SYLLABLES.length ** i) % SYLLABLES.length]).join('');
const nameOf = (n: number) =>
  `${syllables(n, 3)} ${syllables(n * 7919 + 13, 2)} ${['Ltd', 'GmbH', 'Inc', 'BV'][n % 4]}`;

describe('Query plans of the MCA page', () => {
  let testApp: TestApp;
  let sql: SqlService;
  let brokerId: number;
  let laterBrokerId: number; // its tenants come after the first broker's in id order
  const query = (changes: Partial<McaQuery>): McaQuery => ({ ...DEFAULT_MCA_QUERY, ...changes });
  const first = { limit: 25, queryOffset: 0, reverse: false };

  async function seed(broker: number, count: number, offset: number): Promise<void> {
    const { dialect } = sql;
    const now = dialect.encodeTimestamp(new Date());
    await sql.transaction(async (tx) => {
      for (let start = 0; start < count; start += 250) {
        const rows: unknown[][] = [];
        for (let i = start; i < Math.min(count, start + 250); i++) {
          const n = offset + i;
          const status = TENANT_STATUSES[(n * 7) % TENANT_STATUSES.length];
          const name = nameOf(n);
          const accepted = status === 'attested' || status === 'direct';
          rows.push([
            broker,
            randomUUID(),
            name,
            `${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.onmicrosoft.com`,
            status,
            dialect.name === 'postgres' ? status === 'direct' : Number(status === 'direct'),
            accepted ? dialect.encodeTimestamp(new Date(Date.UTC(2024, 0, 1) + n * 60_000)) : null,
            now,
            now,
          ]);
        }
        let index = 0;
        const values = rows.map((row) => `(${row.map(() => dialect.placeholder(++index)).join(', ')})`).join(', ');
        await tx.run(
          `INSERT INTO tenants (broker_id, microsoft_tenant_id, name, domain, status, directly_signed, accepted_at, created_at, updated_at) VALUES ${values}`,
          rows.flat(),
        );
      }
    });
  }

  const plan = (statement: SqlStatement) => queryPlan(sql, statement);

  const expectIndexed = async (statement: SqlStatement, index: string | RegExp) => {
    const result = await plan(statement);
    expect({ plan: result.text, scansTenants: result.scansTenants }).toEqual({
      plan: result.text,
      scansTenants: false,
    });
    const used = result.indexes.some((name) => (typeof index === 'string' ? name === index : index.test(name)));
    expect({ plan: result.text, usesIndex: used }).toEqual({ plan: result.text, usesIndex: true });
  };

  beforeAll(async () => {
    testApp = await createTestApp();
    sql = testApp.app.get(SqlService);
    brokerId = await createBroker(testApp, 'Planned Partner');
    laterBrokerId = await createBroker(testApp, 'Another Partner');
    await seed(brokerId, 4000, 0);
    await seed(laterBrokerId, 2000, 4000);
    // What autovacuum does on a live database: statistics for the planner, and the GIN indexes' own counts (a GIN
    // index filled by inserts looks far more costly than it is until VACUUM updates them).
    if (sql.dialect.name === 'postgres') await sql.run('VACUUM ANALYZE tenants', []);
  });
  afterAll(() => testApp.close());

  it('should see a whole-table read when there is one (the check itself can fail)', async () => {
    const unindexed = { sql: 'SELECT t.id FROM tenants AS t WHERE t.directly_signed = t.directly_signed', params: [] };
    expect((await plan(unindexed)).scansTenants).toBe(true);
  });

  it('should read the unfiltered page in name order from the (broker, name) index', async () => {
    await expectIndexed(pageStatement(sql.dialect, brokerId, query({}), first), 'ix_tenants_broker_name');
  });

  it('should read a status filter from the (broker, status, name) index', async () => {
    await expectIndexed(
      pageStatement(sql.dialect, brokerId, query({ status: 'none' }), first),
      'ix_tenants_broker_status_name',
    );
  });

  it('should read the status and date orders from their indexes', async () => {
    await expectIndexed(
      pageStatement(sql.dialect, brokerId, query({ sort: 'status' }), first),
      'ix_tenants_broker_rank_name',
    );
    await expectIndexed(
      pageStatement(sql.dialect, brokerId, query({ sort: 'date', dir: 'desc' }), first),
      'ix_tenants_broker_accepted',
    );
    await expectIndexed(
      pageStatement(sql.dialect, brokerId, query({ sort: 'date', status: 'direct' }), first),
      'ix_tenants_broker_status_accepted',
    );
  });

  it('should find a search term through the search index, and a short one through the lower(name) index', async () => {
    const long = query({ q: nameOf(1234).slice(0, 9) });
    if (sql.dialect.name === 'sqlite') {
      // FTS5 answers the match; each match is then read by its rowid.
      const result = await plan(searchPageStatement(sql.dialect, brokerId, long, first));
      expect(result.text).toMatch(/tenants_search VIRTUAL TABLE INDEX/);
      expect(result.text).toMatch(/SEARCH t USING INTEGER PRIMARY KEY/);
      expect(result.scansTenants).toBe(false);
      expect((await plan(searchCountsStatement(sql.dialect, brokerId, long.q))).scansTenants).toBe(false);
    } else {
      await expectIndexed(searchPageStatement(sql.dialect, brokerId, long, first), 'ix_tenants_broker_search_trgm');
      await expectIndexed(searchCountsStatement(sql.dialect, brokerId, long.q), 'ix_tenants_broker_search_trgm');
    }
    await expectIndexed(
      searchPageStatement(sql.dialect, brokerId, query({ q: nameOf(1234).slice(0, 2) }), first),
      'ix_tenants_broker_lower_name',
    );
  });

  it("should read a deep page's ids from its order's index alone, then the page's rows", async () => {
    const deep = { limit: 25, queryOffset: 1975, reverse: false };
    const covering = (index: string) =>
      sql.dialect.name === 'sqlite' ? `USING COVERING INDEX ${index}` : `Index Only Scan ${index}`;
    for (const [changes, index] of [
      [{}, 'ix_tenants_broker_name'],
      [{ sort: 'status' }, 'ix_tenants_broker_rank_name'],
      [{ status: 'none' }, 'ix_tenants_broker_status_name'],
    ] as const) {
      const statement = pageStatement(sql.dialect, brokerId, query(changes), deep);
      await expectIndexed(statement, index);
      expect((await plan(statement)).text).toContain(covering(index));
    }
  });

  it("should find one broker's search term among that broker's entries of the search index only", async () => {
    const long = searchCountsStatement(sql.dialect, brokerId, 'onmicrosoft');
    if (sql.dialect.name === 'sqlite') {
      // The MATCH alone (the broker's word and the term) finds the broker's rows and no other broker's.
      const match = long.params.find((param) => typeof param === 'string' && param.includes('onmicrosoft'));
      const [found] = await sql.run<{ total: number; others: number }>(
        'SELECT count(*) AS total, count(*) FILTER (WHERE t.broker_id <> ?) AS others FROM tenants_search AS s JOIN tenants AS t ON t.id = s.rowid WHERE tenants_search MATCH ?',
        [brokerId, match],
      );
      expect({ total: Number(found.total), others: Number(found.others) }).toEqual({ total: 4000, others: 0 });
    } else {
      // The trigram index's bitmap is read with the broker as one of its keys (btree_gin), for a rare term.
      const rare = searchCountsStatement(sql.dialect, brokerId, nameOf(1234).slice(0, 9));
      const [row] = await sql.run<{ 'QUERY PLAN': { Plan: PgNode }[] }>(
        `EXPLAIN (FORMAT JSON) ${rare.sql}`,
        rare.params,
      );
      const conditions: string[] = [];
      const walk = (node: PgNode) => {
        if (node['Index Name'] === 'ix_tenants_broker_search_trgm') conditions.push(node['Index Cond'] ?? '');
        node.Plans?.forEach(walk);
      };
      walk(row['QUERY PLAN'][0].Plan);
      expect(conditions).toEqual([expect.stringMatching(/broker_id = /)]);
    }
  });

  // Walking the primary key in id order read every earlier broker's rows first (540 ms at 5 × 100,000 tenants).
  it("should walk only the broker's own ids for a term found in nearly every row", async () => {
    const common = searchPageStatement(sql.dialect, laterBrokerId, query({ q: 'onmicrosoft' }), first);
    if (sql.dialect.name === 'sqlite') return expect((await plan(common)).text).toMatch(/tenants_search VIRTUAL TABLE/);
    await expectIndexed(common, 'ix_tenants_broker_id');
    expect((await plan(common)).text).toContain('Index Only Scan ix_tenants_broker_id');
  });

  // With the status filter inside the read of the ids, the planner walked every broker's rows (815 ms at 5 × 100,000).
  it("should read a report's batches from the broker's own ids, with a status filter and a common term", async () => {
    const batch = filteredBatchStatement(sql.dialect, laterBrokerId, { status: 'none', q: 'onmicrosoft' }, 0, 500);
    if (sql.dialect.name === 'sqlite') return expect((await plan(batch)).scansTenants).toBe(false);
    await expectIndexed(batch, 'ix_tenants_broker_id');
    expect((await plan(batch)).text).toContain('Index Only Scan ix_tenants_broker_id');
  });

  it('should seek the next page from the cursor row through the same indexes', async () => {
    const from = { id: 100, name: nameOf(99), status: 'pending' as const, status_rank: 1 };
    const cursorRow = await plan(cursorRowStatement(sql.dialect, brokerId, from.id));
    expect(cursorRow.text).toMatch(
      // A point lookup: by the primary key, or by the (broker_id, id) index that the report's batches read.
      sql.dialect.name === 'sqlite'
        ? /USING INTEGER PRIMARY KEY|USING COVERING INDEX ix_tenants_broker_id|USING INDEX ix_tenants_broker_id/
        : /Index (Only )?Scan (PK_\w+|\w+_pkey|ix_tenants_broker_id)/,
    );
    const [byName] = seekStatements(sql.dialect, brokerId, query({}), from, 'after', 25);
    await expectIndexed(byName, 'ix_tenants_broker_name');
    const [sameStatus, later] = seekStatements(sql.dialect, brokerId, query({ sort: 'status' }), from, 'after', 25);
    await expectIndexed(sameStatus, 'ix_tenants_broker_status_name');
    await expectIndexed(later, 'ix_tenants_broker_rank_name');
  });

  it("should read a mark's filter and its count from the mark's index (re-acceptance needed, ready to finalize)", async () => {
    await expectIndexed(
      pageStatement(sql.dialect, brokerId, query({ status: 'reaccept' }), first),
      'ix_tenants_broker_reacceptance',
    );
    await expectIndexed(
      pageStatement(sql.dialect, brokerId, query({ status: 'ready' }), first),
      'ix_tenants_broker_attestation_state',
    );
    const counts = await plan(attestationCountsStatement(sql.dialect, brokerId));
    expect(counts.scansTenants).toBe(false);
    expect(counts.indexes).toEqual(
      expect.arrayContaining(['ix_tenants_broker_attestation_state', 'ix_tenants_broker_reacceptance']),
    );
  });

  it('should read the rows that wait by their ids, through the primary key, in one statement', async () => {
    const [{ id: firstId }] = await sql.run<{ id: number }>(
      `SELECT min(id) AS id FROM tenants WHERE broker_id = ${sql.dialect.placeholder(1)}`,
      [brokerId],
    );
    const ids = Array.from({ length: 100 }, (_, i) => Number(firstId) + i * 37);
    const result = await plan(rowsStatement(sql.dialect, brokerId, ids));
    expect({ plan: result.text, scansTenants: result.scansTenants }).toEqual({
      plan: result.text,
      scansTenants: false,
    });
    // Each id is one seek: the primary key, or the (broker_id, id) index with both keys.
    if (sql.dialect.name === 'sqlite')
      expect(result.text).toMatch(/USING (INTEGER PRIMARY KEY|INDEX ix_tenants_broker_id \(broker_id=\? AND id=\?)/);
    else expect(result.indexes).toEqual([expect.stringMatching(/^(PK_|ix_tenants_broker_id$)/)]);
    const statement = rowsStatement(sql.dialect, brokerId, ids);
    const rows = await sql.run<{ id: number }>(statement.sql, statement.params);
    expect(rows.map((row) => Number(row.id))).toEqual(ids);
  });

  it('should read the counts from tenant_status_counts, never from tenants', async () => {
    const result = await plan(statusCountsStatement(sql.dialect, brokerId));
    expect(result.text).not.toMatch(/\btenants\b(?!_)/);
    expect(result.scansTenants).toBe(false);
  });
});
