import { SqlService } from '../../src/database/sql.service';
import { REACCEPTANCE_NEEDED } from '../../src/tenants/tenant-acceptance';
import { DEFAULT_MCA_QUERY, pageWindow, type McaQuery } from '../../src/tenants/mca-query';
import {
  pageStatement,
  statusCountsStatement,
  TenantListReads,
  zeroCounts,
  type StatusCounts,
} from '../../src/tenants/tenants.repository';
import { createScaleApp, type ScaleApp } from '../support/scale';

// Deep pages read from page anchors (src/tenants/page-anchors.ts) list exactly the rows OFFSET does, in every order
// a cursor serves, and never by an anchor of a version gone. A few thousand tenants hold a few anchors per list; the
// plans and a page at 1,000,000 tenants are in plans-at-scale.e2e-spec.ts.
describe('Page anchors', () => {
  const TENANTS = 12_000;
  let scale: ScaleApp;
  let sql: SqlService;
  let brokerId: number;
  const statements: string[] = [];
  let reads: TenantListReads;
  const p = (index: number) => sql.dialect.placeholder(index);

  const counts = async (): Promise<StatusCounts> => {
    const { sql: text, params } = statusCountsStatement(sql.dialect, brokerId);
    const result = zeroCounts();
    for (const row of await sql.run<{ status: keyof StatusCounts; tenant_count: number | string }>(text, params))
      result[row.status] += Number(row.tenant_count);
    return result;
  };
  const version = async (): Promise<number> => {
    const [row] = await sql.run<{ version: number | string }>(
      `SELECT version FROM tenant_list_versions WHERE broker_id = ${p(1)}`,
      [brokerId],
    );
    return Number(row?.version ?? 0);
  };
  const totalOf = (all: StatusCounts, query: McaQuery) =>
    query.status === 'all'
      ? Object.values(all).reduce((sum, n) => sum + n, 0)
      : all[query.status as keyof StatusCounts];

  // Every page of the query, as OFFSET reads it and as the list's reads do (twice: the first read of a page may read
  // anchors, the second reads from them). Returns how many pages were read from an anchor.
  const expectEveryPage = async (changes: Partial<McaQuery>): Promise<number> => {
    const all = await counts();
    const query = { ...DEFAULT_MCA_QUERY, size: 100, ...changes };
    const pages = Math.ceil(totalOf(all, query) / query.size);
    let anchored = 0;
    for (let page = 1; page <= pages; page++) {
      const window = pageWindow(totalOf(all, query), page, query.size);
      const { sql: text, params } = pageStatement(sql.dialect, brokerId, { ...query, page }, window);
      const byOffset = (await sql.run<{ id: number | string }>(text, params)).map((row) => Number(row.id));
      if (window.reverse) byOffset.reverse();
      await reads.page(brokerId, { ...query, page }, window, all);
      statements.length = 0;
      const rows = await reads.page(brokerId, { ...query, page }, window, all);
      expect({ query, page, ids: rows.map((row) => row.id) }).toEqual({ query, page, ids: byOffset });
      if (statements.some((statement) => statement.includes('tenant_list_versions'))) anchored++;
    }
    return anchored;
  };

  beforeAll(async () => {
    scale = await createScaleApp(TENANTS, 2000);
    sql = scale.testApp.app.get(SqlService);
    brokerId = scale.largeBrokerId;
    reads = new TenantListReads({
      dialect: sql.dialect,
      run: (text, params) => (statements.push(text), sql.run(text, params)),
    });
  }, 120_000);
  afterAll(() => scale?.testApp.close());

  it('should list every page exactly as OFFSET does, deep ones from anchors, in every order a cursor serves', async () => {
    for (const changes of [
      {},
      { dir: 'desc' },
      { sort: 'status' },
      { sort: 'status', dir: 'desc' },
      { status: 'none' },
      { status: 'direct', dir: 'desc', size: 25 },
    ] as Partial<McaQuery>[])
      expect({ changes, anchored: (await expectEveryPage(changes)) > 0 }).toEqual({ changes, anchored: true });
  });

  it('should read a deep page, once its anchors are read, in one statement that checks their version', async () => {
    const all = await counts();
    const query = { ...DEFAULT_MCA_QUERY, page: 60 };
    const window = pageWindow(totalOf(all, query), query.page, query.size);
    await reads.page(brokerId, query, window, all);
    statements.length = 0;
    await reads.page(brokerId, query, window, all);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('tenant_list_versions');
  });

  it("should move the broker's list version when a tenant comes, goes, is renamed or changes status or a mark, not otherwise (the marks' counts with it)", async () => {
    const [tenant] = await sql.run<{ id: number | string; name: string; status: string; domain: string }>(
      `SELECT id, name, status, domain FROM tenants WHERE broker_id = ${p(1)} ORDER BY id LIMIT 1`,
      [brokerId],
    );
    const id = Number(tenant.id);
    const update = (set: string, value: unknown) =>
      sql.run(`UPDATE tenants SET ${set} = ${p(1)} WHERE id = ${p(2)}`, [value, id]);
    const moves = async (change: () => Promise<unknown>) => {
      const before = await version();
      await change();
      return (await version()) > before;
    };
    expect(await moves(() => update('name', `${tenant.name} renamed`))).toBe(true);
    expect(await moves(() => update('status', tenant.status === 'none' ? 'pending' : 'none'))).toBe(true);
    expect(await moves(() => update('domain', `x${tenant.domain}`))).toBe(false);
    const marked = (await reads.brokerCounts(brokerId)).marks.reaccept;
    expect(await moves(() => update('reacceptance', REACCEPTANCE_NEEDED))).toBe(true);
    expect((await reads.brokerCounts(brokerId)).marks.reaccept).toBe(marked + 1);
    expect(await moves(() => update('attestation_state', 'expired'))).toBe(true);
    expect((await reads.brokerCounts(brokerId)).marks.expired).toBe(1);
    expect(await moves(() => update('name', `${tenant.name} renamed`))).toBe(false);
    const otherBefore = await sql.run<{ version: number | string }>(
      `SELECT version FROM tenant_list_versions WHERE broker_id = ${p(1)}`,
      [scale.smallBrokerId],
    );
    expect(await moves(() => update('broker_id', scale.smallBrokerId))).toBe(true);
    const [otherAfter] = await sql.run<{ version: number | string }>(
      `SELECT version FROM tenant_list_versions WHERE broker_id = ${p(1)}`,
      [scale.smallBrokerId],
    );
    expect(Number(otherAfter.version)).toBeGreaterThan(Number(otherBefore[0]?.version ?? 0));
    expect(await moves(() => update('broker_id', brokerId))).toBe(true);
    expect(await moves(() => sql.run(`DELETE FROM tenants WHERE id = ${p(1)}`, [id]))).toBe(true);
    expect(
      await moves(() =>
        sql.run(
          `INSERT INTO tenants (broker_id, microsoft_tenant_id, name, domain, status, directly_signed, created_at, updated_at)
           VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 'none', FALSE, ${p(5)}, ${p(6)})`,
          [
            brokerId,
            'anchor-test-tenant',
            'Aaa first',
            'aaa.example.com',
            ...[new Date(), new Date()].map((d) => sql.dialect.encodeTimestamp(d)),
          ],
        ),
      ),
    ).toBe(true);
  });

  it('should list every page exactly once tenants moved before the anchors (read again at the new version)', async () => {
    const [last] = await sql.run<{ id: number | string }>(
      `SELECT id FROM tenants WHERE broker_id = ${p(1)} ORDER BY name DESC, id DESC LIMIT 1`,
      [brokerId],
    );
    await sql.run(`UPDATE tenants SET name = ${p(1)} WHERE id = ${p(2)}`, ['AAA moved first', Number(last.id)]);
    await sql.run(
      `UPDATE tenants SET status = 'pending' WHERE id IN (SELECT id FROM tenants WHERE broker_id = ${p(1)} AND status = 'none' ORDER BY id LIMIT 7)`,
      [brokerId],
    );
    expect(await expectEveryPage({})).toBeGreaterThan(0);
    const all = await counts();
    expect(all.none % 100).not.toBe(0); // a page of the status sort holds two statuses
    expect(await expectEveryPage({ sort: 'status' })).toBeGreaterThan(0);
    expect(await expectEveryPage({ status: 'none', dir: 'desc' })).toBeGreaterThan(0);
  });
});
