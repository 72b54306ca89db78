import { SqlService } from '../../src/database/sql.service';
import { attemptLogStatement } from '../../src/webhooks/webhooks.repository';
import { createBroker } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PgNode[];
}

// An endpoint's delivery log, planned by the database itself over thousands of attempts of many endpoints: the
// attempts are searched by the endpoint's index, each one's message by its primary key; no table is read whole.
describe('Query plans of the webhook delivery log', () => {
  let testApp: TestApp;
  let sql: SqlService;
  const ENDPOINTS = 20;

  async function plan({ sql: text, params }: { sql: string; params: unknown[] }): Promise<{ scans: string[] }> {
    if (sql.dialect.name === 'sqlite') {
      const rows = await sql.run<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params);
      return { scans: rows.map((row) => row.detail).filter((detail) => /^SCAN (webhook_\w+|a|m)\b/.test(detail)) };
    }
    const [row] = await sql.run<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    const nodes: PgNode[] = [];
    const walk = (node: PgNode) => (nodes.push(node), node.Plans?.forEach(walk));
    walk((row['QUERY PLAN'] as { Plan: PgNode }[])[0].Plan);
    return {
      scans: nodes
        .filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name']?.startsWith('webhook_'))
        .map((n) => `Seq Scan ${n['Relation Name']}`),
    };
  }

  beforeAll(async () => {
    testApp = await createTestApp({ env: { JOB_WORKER: 'off', SYNC_INTERVAL_MINUTES: '0' } });
    sql = testApp.app.get(SqlService);
    const brokerId = await createBroker(testApp, 'Planned Partner');
    const at = sql.dialect.encodeTimestamp(new Date());
    await sql.transaction(async (tx) => {
      const p = tx.dialect.placeholder;
      for (let e = 1; e <= ENDPOINTS; e++)
        await tx.run(
          `INSERT INTO webhook_endpoints (broker_id, url, description, events, enabled, secret_sealed, created_at, updated_at)
           VALUES (${p(1)}, 'https://example.com/hook', '', 'sync.finished', ${p(2)}, 'x', ${p(3)}, ${p(4)})`,
          [brokerId, true, at, at],
        );
      for (let i = 1; i <= 4000; i++) {
        const endpoint = (i % ENDPOINTS) + 1;
        await tx.run(
          `INSERT INTO webhook_messages (broker_id, endpoint_id, message_id, event_type, payload, state, attempts, created_at)
           VALUES (${p(1)}, ${p(2)}, ${p(3)}, 'sync.finished', '{}', 'delivered', 1, ${p(4)})`,
          [brokerId, endpoint, `msg_${i}`, at],
        );
        await tx.run(
          `INSERT INTO webhook_attempts (broker_id, endpoint_id, message_row_id, attempt, started_at, status_code, duration_ms)
           VALUES (${p(1)}, ${p(2)}, ${p(3)}, 1, ${p(4)}, 200, 5)`,
          [brokerId, endpoint, i, at],
        );
      }
    });
    if (sql.dialect.name === 'postgres') await sql.run('VACUUM ANALYZE', []);
  });
  afterAll(() => testApp.close());

  it('should see a whole-table read when there is one (the check itself can fail)', async () => {
    expect(
      (await plan({ sql: 'SELECT id FROM webhook_attempts WHERE duration_ms = 5', params: [] })).scans,
    ).not.toEqual([]);
  });

  it('should read the newest page, an older one and a newer one by the endpoint index', async () => {
    for (const bound of [null, { op: '<' as const, id: 3000 }, { op: '>' as const, id: 1000 }]) {
      expect(await plan(attemptLogStatement(sql.dialect, 7, bound, 26))).toEqual({ scans: [] });
    }
  });
});
