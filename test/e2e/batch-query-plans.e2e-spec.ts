import { DataSource } from 'typeorm';
import {
  claimRowStatement,
  finishStatement,
  rowCountsStatement,
} from '../../src/bulk-attestations/bulk-attestations.repository';
import { SqlService } from '../../src/database/sql.service';
import type { SqlStatement } from '../../src/tenants/tenants.repository';
import { draftBatch, rowFor } from '../support/batches';
import { setUpFirstAdmin } from '../support/http';
import { brokerIdOf, seedTenants } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

// The statements a running batch repeats per row (take a row, finish the batch) and per view of its page (its
// counts), planned by the database on forty batches of a hundred rows: each reads the rows through their index, none
// scans them.
describe('Query plans of attestation batches', () => {
  let testApp: TestApp;
  let sql: SqlService;
  let batchIds: number[];

  // Each step of the plan, one a line, and whether any reads attestation_batch_rows whole.
  async function plan({ sql: text, params }: SqlStatement): Promise<{ text: string; scansRows: boolean }> {
    if (sql.dialect.name === 'sqlite') {
      const rows = await sql.run<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params);
      const details = rows.map((row) => row.detail).join('\n');
      return { text: details, scansRows: /\bSCAN (attestation_batch_rows|r)\b/.test(details) };
    }
    const [row] = await sql.run<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    type Node = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: Node[] };
    const nodes: Node[] = [];
    const walk = (node: Node) => (nodes.push(node), node.Plans?.forEach(walk));
    walk((row['QUERY PLAN'] as { Plan: Node }[])[0].Plan);
    return {
      text: nodes.map((node) => `${node['Node Type']} ${node['Index Name'] ?? node['Relation Name'] ?? ''}`).join('\n'),
      scansRows: nodes.some(
        (node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'attestation_batch_rows',
      ),
    };
  }
  const expectIndexed = async (statement: SqlStatement) => {
    const result = await plan(statement);
    expect({ plan: result.text, scansRows: result.scansRows }).toEqual({ plan: result.text, scansRows: false });
  };

  beforeAll(async () => {
    testApp = await createTestApp();
    sql = testApp.app.get(SqlService);
    await setUpFirstAdmin(testApp);
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    const tenants = await seedTenants(
      testApp,
      brokerId,
      Array.from({ length: 20 }, () => ({})),
    );
    batchIds = [];
    for (let b = 0; b < 40; b++) {
      const rows = Array.from({ length: 100 }, (_, i) =>
        // The last batch has every row sent: the one a finish looks at.
        rowFor(tenants[i % tenants.length], i + 2, { status: b === 39 || i % 3 === 0 ? 'created' : 'pending' }),
      );
      batchIds.push((await draftBatch(testApp, 'ada@contoso.test', rows)).id);
    }
    if (sql.dialect.name === 'postgres')
      await testApp.app.get(DataSource).query('VACUUM ANALYZE attestation_batch_rows, attestation_batches');
  });
  afterAll(() => testApp.close());

  it('should see a whole read of the rows when there is one (the check itself can fail)', async () => {
    const unindexed = { sql: 'SELECT id FROM attestation_batch_rows WHERE error IS NULL OR error = error', params: [] };
    expect((await plan(unindexed)).scansRows).toBe(true);
  });

  it("should count a page's batches' rows by status through the rows' index", async () => {
    await expectIndexed(rowCountsStatement(sql.dialect, [batchIds[1]]));
    await expectIndexed(rowCountsStatement(sql.dialect, batchIds.slice(0, 3)));
  });

  it('should take a row by its key and finish a batch without reading its rows whole', async () => {
    const [{ id }] = await sql.query<{ id: number }>`
      SELECT id FROM attestation_batch_rows WHERE batch_id = ${batchIds[2]} AND status = 'pending' LIMIT 1`;
    await expectIndexed(claimRowStatement(sql.dialect, Number(id), new Date()));
    await expectIndexed(finishStatement(sql.dialect, batchIds[39], new Date()));
  });
});
