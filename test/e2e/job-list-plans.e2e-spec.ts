import { SqlService } from '../../src/database/sql.service';
import { jobListStatement, type SqlStatement } from '../../src/jobs/jobs.repository';
import type { JobFilters } from '../../src/jobs/job-list.query';
import { createBroker } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

const TYPES = ['mail.send', 'attestation.poll', 'tenant.sync', 'report.generate', 'attestation.finalize'];
const STATES = ['succeeded', 'succeeded', 'succeeded', 'dead', 'cancelled', 'queued', 'running'];

// Background work's list, planned by the database itself over thousands of jobs of two brokers and the app's own:
// the broker's half of the statement searches one of its (broker, …) indexes, and no step reads the jobs table whole.
// (The app's own jobs, a few hourly ones, may be read along the primary key from the newest: PostgreSQL's choice.)
describe('Query plans of the Background work list', () => {
  let testApp: TestApp;
  let sql: SqlService;
  let brokerId: number;

  // Jobs of both brokers and of none, interleaved in id order as they are queued in real life.
  async function seed(owners: (number | null)[], count: number): Promise<void> {
    const { dialect } = sql;
    const at = dialect.encodeTimestamp(new Date());
    await sql.transaction(async (tx) => {
      for (let start = 0; start < count; start += 200) {
        const rows: unknown[][] = [];
        for (let i = start; i < Math.min(count, start + 200); i++)
          rows.push([
            TYPES[i % TYPES.length],
            '{}',
            owners[i % owners.length],
            STATES[(i * 3) % STATES.length],
            i % 2,
            5,
            at,
            at,
          ]);
        let index = 0;
        const values = rows.map((row) => `(${row.map(() => dialect.placeholder(++index)).join(', ')})`).join(', ');
        await tx.run(
          `INSERT INTO jobs (type, payload, broker_id, state, attempts, max_attempts, run_at, created_at) VALUES ${values}`,
          rows.flat(),
        );
      }
    });
  }

  // Every step that reads jobs, one a line, and whether one of them reads the table whole.
  async function plan({ sql: text, params }: SqlStatement): Promise<{ steps: string[]; scansJobs: boolean }> {
    if (sql.dialect.name === 'sqlite') {
      const rows = await sql.run<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params);
      if (process.env.SHOW_PLANS) console.log(text, rows.map((row) => row.detail).join('\n'));
      const steps = rows.map((row) => row.detail).filter((detail) => /\bjobs\b/.test(detail));
      return {
        steps,
        scansJobs: steps.some((step) => !/^SEARCH jobs USING (COVERING )?INDEX ix_jobs_broker/.test(step)),
      };
    }
    const [row] = await sql.run<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    const nodes: PgNode[] = [];
    const walk = (node: PgNode) => (nodes.push(node), node.Plans?.forEach(walk));
    walk((row['QUERY PLAN'] as { Plan: PgNode }[])[0].Plan);
    const onJobs = nodes.filter((node) => node['Relation Name'] === 'jobs' || node['Index Name'] !== undefined);
    return {
      steps: onJobs.map((node) => `${node['Node Type']} ${node['Index Name'] ?? ''}`),
      scansJobs: onJobs.some((node) => node['Node Type'] === 'Seq Scan'),
    };
  }

  beforeAll(async () => {
    testApp = await createTestApp({ env: { JOB_WORKER: 'off', SYNC_INTERVAL_MINUTES: '0' } });
    sql = testApp.app.get(SqlService);
    brokerId = await createBroker(testApp, 'Planned Partner');
    const other = await createBroker(testApp, 'Another Partner');
    // A broker among many: a twentieth of the jobs are its own, as many the app's.
    await seed([brokerId, null, ...Array<number>(18).fill(other)], 20_000);
    if (sql.dialect.name === 'postgres') await sql.run('VACUUM ANALYZE jobs', []);
  });
  afterAll(() => testApp.close());

  it('should see a whole-table read when there is one (the check itself can fail)', async () => {
    const unindexed = { sql: "SELECT id FROM jobs WHERE payload = '{}'", params: [] };
    expect((await plan(unindexed)).scansJobs).toBe(true);
  });

  it.each<[string, JobFilters]>([
    ['no filter', { state: '', kind: '' }],
    ['a state', { state: 'done', kind: '' }],
    ['the retried ones', { state: 'retrying', kind: '' }],
    ['a kind', { state: '', kind: 'mail.send' }],
    ['a state and a kind', { state: 'failed', kind: 'tenant.sync' }],
  ])('should read the newest page and a deep one by an index with %s', async (_name, filters) => {
    for (const bound of [null, { op: '<' as const, id: 7000 }, { op: '>' as const, id: 3000 }]) {
      const result = await plan(jobListStatement(sql.dialect, brokerId, filters, bound, 51));
      expect(result).toEqual({ steps: result.steps, scansJobs: false });
      // Deeper pages may walk the primary key from the cursor instead, when the planner prices that lower.
      if (bound === null) expect(result.steps.some((step) => /ix_jobs_broker_(id|state|type)\b/.test(step))).toBe(true);
    }
  });
});

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PgNode[];
}
