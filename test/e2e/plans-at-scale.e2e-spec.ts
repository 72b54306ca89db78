import { SqlService } from '../../src/database/sql.service';
import { DEFAULT_MCA_QUERY, pageWindow, type McaQuery } from '../../src/tenants/mca-query';
import { ANCHOR_EVERY, ANCHORS_PER_STEP } from '../../src/tenants/page-anchors';
import {
  anchoredPageStatement,
  anchorStepStatement,
  pageStatement,
  SEARCH_MATCH_CAP,
  searchCountsStatement,
  searchPageStatement,
  statusCountsStatement,
  TenantListReads,
  zeroCounts,
  type SqlStatement,
  type StatusCounts,
} from '../../src/tenants/tenants.repository';
import { queryPlan, type PgNode } from '../support/query-plan';

interface AnalyzedNode extends PgNode {
  'Rows Removed by Filter'?: number;
  Plans?: AnalyzedNode[];
}
import { createScaleApp, LARGE_BROKER_TENANTS, SMALL_BROKER_TENANTS, type ScaleApp } from '../support/scale';

// Issue 25: the plans that depend on the table's size, taken where the largest broker holds 1,000,000 tenants
// (seeded once for this file by the database itself: test/support/scale.ts). The plans that do not depend on it
// stay in query-plans.e2e-spec.ts, on a few thousand tenants.
describe('Query plans at 1,000,000 tenants', () => {
  let scale: ScaleApp;
  let sql: SqlService;

  beforeAll(async () => {
    scale = await createScaleApp();
    sql = scale.testApp.app.get(SqlService);
  }, 600_000);
  afterAll(() => scale?.testApp.close());

  it('should hold both brokers as seeded, counted by the triggers’ bulk equivalent', async () => {
    const counted = async (brokerId: number) => {
      const { sql: text, params } = statusCountsStatement(sql.dialect, brokerId);
      const rows = await sql.run<{ tenant_count: number | string }>(text, params);
      return rows.reduce((sum, row) => sum + Number(row.tenant_count), 0);
    };
    expect(await counted(scale.largeBrokerId)).toBe(LARGE_BROKER_TENANTS);
    expect(await counted(scale.smallBrokerId)).toBe(SMALL_BROKER_TENANTS);
  });

  // A search reads the first SEARCH_MATCH_CAP matches in id order. The broker's whole index is what a rare term
  // read on SQLite when FTS5 ANDed the broker's word (an entry in each of its rows); on PostgreSQL the planner walked
  // the primary key from the first broker's rows for a common term, the broker holding most of the table.
  describe('searches', () => {
    const search = (brokerId: number, q: string) =>
      searchPageStatement(sql.dialect, brokerId, { ...DEFAULT_MCA_QUERY, q }, { limit: 25, queryOffset: 0 });
    const found = async (brokerId: number, q: string) => {
      const { sql: text, params } = searchCountsStatement(sql.dialect, brokerId, q);
      const [row] = await sql.run<Record<string, number | string>>(text, params);
      return Object.values(row).reduce<number>((sum, count) => sum + Number(count), 0);
    };

    beforeAll(async () => {
      if (sql.dialect.name === 'postgres') await sql.run('VACUUM ANALYZE tenants', []);
    }, 600_000);

    it('should count a rare term up to the cap in the large broker and whole in the small one', async () => {
      expect(await found(scale.largeBrokerId, 'wingtip labs')).toBe(SEARCH_MATCH_CAP);
      expect(await found(scale.smallBrokerId, 'wingtip labs')).toBe(134);
    });

    // On PostgreSQL in either broker: with the column's default statistics one sampled row holding the term made
    // the planner walk the small broker's every row (migration SearchTextStatistics).
    it.each(['large', 'small'] as const)(
      "should read a rare term from the term's entries within the %s broker's span of ids",
      async (size) => {
        const plan = await queryPlan(
          sql,
          search(size === 'large' ? scale.largeBrokerId : scale.smallBrokerId, 'wingtip labs'),
        );
        if (sql.dialect.name === 'sqlite') {
          // FTS5's plan names its rowid bounds: ">" from the broker's first id, "<" to its last.
          expect(plan.text).toMatch(/tenants_search VIRTUAL TABLE INDEX \d+:M\d+></);
        } else {
          expect(plan.indexes).toContain('ix_tenants_broker_search_trgm');
        }
        expect(plan.scansTenants).toBe(false);
      },
    );

    // The rows each step read and dropped, from EXPLAIN ANALYZE: a walk from the table's first id drops the small
    // broker's 100,000 rows before the first match (a term in a few blocks of names, "berlin", drops 18,750 of the
    // broker's own on the way to the cap).
    const rowsDropped = async (statement: SqlStatement): Promise<number> => {
      const [row] = await sql.run<{ 'QUERY PLAN': { Plan: AnalyzedNode }[] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`,
        statement.params,
      );
      const dropped = (node: AnalyzedNode): number =>
        (node['Rows Removed by Filter'] ?? 0) + (node.Plans ?? []).reduce((sum, child) => sum + dropped(child), 0);
      return dropped(row['QUERY PLAN'][0].Plan);
    };

    it.each(['onmicrosoft', 'berlin'])(
      "should walk the large broker's own ids for %j, not every earlier broker's",
      async (q) => {
        const statement = search(scale.largeBrokerId, q);
        if (sql.dialect.name === 'sqlite')
          expect((await queryPlan(sql, statement)).text).toMatch(/tenants_search VIRTUAL TABLE INDEX \d+:M\d+></);
        else expect(await rowsDropped(statement)).toBeLessThan(SMALL_BROKER_TENANTS);
        expect((await queryPlan(sql, statement)).scansTenants).toBe(false);
      },
    );
  });

  describe('deep pages read from page anchors', () => {
    // Every statement the list's reads run, so that a test sees which way a page was read.
    const statements: string[] = [];
    let reads: TenantListReads;
    const counts = async (brokerId: number): Promise<StatusCounts> => {
      const { sql: text, params } = statusCountsStatement(sql.dialect, brokerId);
      const result = zeroCounts();
      for (const row of await sql.run<{ status: keyof StatusCounts; tenant_count: number | string }>(text, params))
        result[row.status] += Number(row.tenant_count);
      return result;
    };
    const total = (all: StatusCounts, query: McaQuery) =>
      query.status === 'all'
        ? Object.values(all).reduce((sum, n) => sum + n, 0)
        : all[query.status as keyof StatusCounts];
    // The page as the OFFSET statement reads it, and as the list's reads do once its anchors are read.
    const bothWays = async (query: McaQuery) => {
      const all = await counts(scale.largeBrokerId);
      const window = pageWindow(total(all, query), query.page, query.size);
      const { sql: text, params } = pageStatement(sql.dialect, scale.largeBrokerId, query, window);
      const byOffset = await sql.run<{ id: number | string }>(text, params);
      if (window.reverse) byOffset.reverse();
      let rows = await reads.page(scale.largeBrokerId, query, window, all);
      for (let step = 0; step * ANCHORS_PER_STEP * ANCHOR_EVERY <= window.offset + window.limit; step++) {
        statements.length = 0;
        rows = await reads.page(scale.largeBrokerId, query, window, all);
      }
      return { byOffset: byOffset.map((row) => Number(row.id)), anchored: rows.map((row) => row.id) };
    };
    const anchoredRead = () => statements.some((text) => text.includes('tenant_list_versions'));
    const middle = Math.round(LARGE_BROKER_TENANTS / DEFAULT_MCA_QUERY.size / 2);
    const ORDERS: Partial<McaQuery>[] = [
      { page: middle },
      { page: middle, dir: 'desc' },
      { page: Math.round(middle * 0.95), sort: 'status' },
      { page: Math.round(middle * 0.95), sort: 'status', dir: 'desc' },
      { page: Math.round(middle * 0.4), status: 'none' },
      { page: 1000, status: 'attested', dir: 'desc', size: 100 },
    ];

    beforeAll(() => {
      reads = new TenantListReads({
        dialect: sql.dialect,
        run: (text, params) => (statements.push(text), sql.run(text, params)),
      });
    });

    it('should read the same rows as OFFSET does, from an anchor, in every order a cursor serves', async () => {
      for (const changes of ORDERS) {
        const query = { ...DEFAULT_MCA_QUERY, ...changes };
        const { byOffset, anchored } = await bothWays(query);
        expect({ query, anchored, anchoredRead: anchoredRead() }).toEqual({
          query,
          anchored: byOffset,
          anchoredRead: true,
        });
      }
    });

    it('should not place a page by an anchor once a tenant moved before it (the version moved on)', async () => {
      const query = { ...DEFAULT_MCA_QUERY, page: middle };
      expect((await bothWays(query)).anchored).toHaveLength(query.size);
      const [moved] = await sql.run<{ id: number | string; name: string }>(
        'SELECT id, name FROM tenants WHERE broker_id = ' + sql.dialect.placeholder(1) + ' ORDER BY id DESC LIMIT 1',
        [scale.largeBrokerId],
      );
      const rename = (name: string) =>
        sql.run(`UPDATE tenants SET name = ${sql.dialect.placeholder(1)} WHERE id = ${sql.dialect.placeholder(2)}`, [
          name,
          Number(moved.id),
        ]);
      await rename('!!! anchors moved');
      try {
        const all = await counts(scale.largeBrokerId);
        const window = pageWindow(total(all, query), query.page, query.size);
        statements.length = 0;
        const first = await reads.page(scale.largeBrokerId, query, window, all);
        const { byOffset, anchored } = await bothWays(query);
        expect(first.map((row) => row.id)).toEqual(byOffset);
        expect(anchored).toEqual(byOffset);
      } finally {
        await rename(moved.name);
      }
    });

    it("should read an anchor's step and a page from it through the list's index alone, not the table", async () => {
      const from = { name: 'M', id: 1 };
      for (const [list, index] of [
        ['all', 'ix_tenants_broker_name'],
        ['none', 'ix_tenants_broker_status_name'],
      ] as const) {
        for (const statement of [
          anchorStepStatement(sql.dialect, scale.largeBrokerId, list, from, ANCHORS_PER_STEP, ANCHOR_EVERY),
          anchoredPageStatement(
            sql.dialect,
            scale.largeBrokerId,
            list,
            { key: from, position: ANCHOR_EVERY, version: 1 },
            ANCHOR_EVERY - 1,
            25,
          ),
        ]) {
          const plan = await queryPlan(sql, statement);
          expect({ plan: plan.text, scansTenants: plan.scansTenants, index: plan.indexes.includes(index) }).toEqual({
            plan: plan.text,
            scansTenants: false,
            index: true,
          });
        }
      }
    });
  });
});
