import { SqlService } from '../../src/database/sql.service';
import { statusCountsStatement } from '../../src/tenants/tenants.repository';
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
});
