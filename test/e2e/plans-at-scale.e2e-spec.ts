import { SqlService } from '../../src/database/sql.service';
import { DEFAULT_MCA_QUERY } from '../../src/tenants/mca-query';
import {
  SEARCH_MATCH_CAP,
  searchCountsStatement,
  searchPageStatement,
  statusCountsStatement,
  type SqlStatement,
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

    it("should read a rare term from the term's entries within the broker's span of ids", async () => {
      const plan = await queryPlan(sql, search(scale.largeBrokerId, 'wingtip labs'));
      if (sql.dialect.name === 'sqlite') {
        // FTS5's plan names its rowid bounds: ">" from the broker's first id, "<" to its last.
        expect(plan.text).toMatch(/tenants_search VIRTUAL TABLE INDEX \d+:M\d+></);
      } else {
        expect(plan.indexes).toContain('ix_tenants_broker_search_trgm');
      }
      expect(plan.scansTenants).toBe(false);
    });

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
});
