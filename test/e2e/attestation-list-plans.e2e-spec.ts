import { randomUUID } from 'node:crypto';
import { ATTESTATION_STATES } from '../../src/attestations/attestation-state';
import { attestationPageStatement } from '../../src/attestations/attestations.repository';
import { SqlService } from '../../src/database/sql.service';
import { createBroker } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PgNode[];
}

// The API's attestation list (all, or one state), planned by the database itself over thousands of attestations of
// two brokers: it reads by an index (one of the (broker, …) ones, or PostgreSQL's walk of the primary key from the
// cursor) and never reads the attestations table whole, on the first page and a deep one.
describe('Query plans of the API attestation list', () => {
  let testApp: TestApp;
  let sql: SqlService;
  let brokerId: number;

  // One tenant per attestation (a tenant has at most one open attestation), the brokers' rows interleaved by id.
  async function seed(brokers: number[], count: number): Promise<void> {
    const { dialect } = sql;
    const at = dialect.encodeTimestamp(new Date());
    const bool = (value: boolean) => (dialect.name === 'postgres' ? value : Number(value));
    const insert = async (table: string, columns: string[], rows: unknown[][]) => {
      let index = 0;
      const values = rows.map((row) => `(${row.map(() => dialect.placeholder(++index)).join(', ')})`).join(', ');
      await sql.transaction((tx) =>
        tx.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, rows.flat()),
      );
    };
    for (let start = 0; start < count; start += 100) {
      const batch = Array.from({ length: Math.min(100, count - start) }, (_, i) => start + i);
      await insert(
        'tenants',
        ['broker_id', 'microsoft_tenant_id', 'name', 'domain', 'status', 'directly_signed', 'created_at', 'updated_at'],
        batch.map((n) => [
          brokers[n % brokers.length],
          randomUUID(),
          `Customer ${n}`,
          `c${n}.test`,
          'none',
          bool(false),
          at,
          at,
        ]),
      );
      const tenants = await sql.run<{ id: number | string; broker_id: number | string }>(
        `SELECT id, broker_id FROM tenants ORDER BY id DESC LIMIT ${batch.length}`,
        [],
      );
      await insert(
        'attestations',
        [
          'broker_id',
          'tenant_id',
          'pc_attestation_id',
          'request_token',
          'signatory_first_name',
          'signatory_last_name',
          'signatory_email',
          'company_name',
          'country',
          'language',
          'auto_finalize',
          'email_link',
          'state',
          'link',
          'created_by_label',
          'created_at',
        ],
        tenants.map((tenant, i) => [
          Number(tenant.broker_id),
          Number(tenant.id),
          randomUUID(),
          randomUUID(),
          'Grace',
          'Hopper',
          'grace@fabrikam.test',
          'Fabrikam',
          'US',
          'en-US',
          bool(false),
          bool(false),
          ATTESTATION_STATES[(start + i) % ATTESTATION_STATES.length],
          'http://localhost/agreement/x',
          'seed',
          at,
        ]),
      );
    }
  }

  async function plan({ sql: text, params }: { sql: string; params: unknown[] }) {
    if (sql.dialect.name === 'sqlite') {
      const rows = await sql.run<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params);
      const steps = rows.map((row) => row.detail);
      return { steps, scans: steps.some((step) => /^SCAN attestations\b/.test(step)) };
    }
    const [row] = await sql.run<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    const nodes: PgNode[] = [];
    const walk = (node: PgNode) => (nodes.push(node), node.Plans?.forEach(walk));
    walk((row['QUERY PLAN'] as { Plan: PgNode }[])[0].Plan);
    return {
      steps: nodes.map((node) => `${node['Node Type']} ${node['Index Name'] ?? node['Relation Name'] ?? ''}`),
      scans: nodes.some((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'attestations'),
    };
  }

  beforeAll(async () => {
    testApp = await createTestApp({ env: { JOB_WORKER: 'off', SYNC_INTERVAL_MINUTES: '0' } });
    sql = testApp.app.get(SqlService);
    brokerId = await createBroker(testApp, 'Planned Partner');
    const other = await createBroker(testApp, 'Another Partner');
    await seed([brokerId, other, other, other, other], 5000);
    if (sql.dialect.name === 'postgres') await sql.run('VACUUM ANALYZE attestations', []);
  });
  afterAll(() => testApp.close());

  it('should see a whole-table read when there is one (the check itself can fail)', async () => {
    expect((await plan({ sql: "SELECT id FROM attestations WHERE signatory_email = 'x'", params: [] })).scans).toBe(
      true,
    );
  });

  it.each([null, 'awaiting_acceptance', 'finalized'] as const)(
    'should read the newest page and a deep one by an index (state %s)',
    async (state) => {
      for (const before of [null, 2500]) {
        const result = await plan(attestationPageStatement(sql.dialect, brokerId, state, before, 51));
        expect(result).toEqual({ steps: result.steps, scans: false });
        // PostgreSQL may walk the primary key from the newest instead, when it prices that lower for this spread.
        const indexed = result.steps.some((step) =>
          /ix_attestations_broker_(id|state_id)\b|^Index Scan PK_/.test(step),
        );
        expect({ steps: result.steps, indexed }).toEqual({ steps: result.steps, indexed: true });
      }
    },
  );
});
