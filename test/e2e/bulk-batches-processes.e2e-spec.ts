import { createServer } from 'node:net';
import { join } from 'node:path';
import { SqlService } from '../../src/database/sql.service';
import { ROOT, startAppProcess, stopAppProcess, type AppProcess } from '../support/app-process';
import { sandboxOf } from '../support/attestations';
import { batchRows, draftBatch, postButton, rowFor } from '../support/batches';
import { setUpFirstAdmin } from '../support/http';
import { eventually } from '../support/jobs';
import { brokerIdOf, seedTenants } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';

// Real app processes on the test's database (SQLite file or PostgreSQL): `npm run build` must have run.
const MAIN = join(ROOT, 'dist', 'main.js');
const ROWS = 30;

const dbEnv = (): Record<string, string> =>
  process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('An attestation batch across app processes killed mid-batch', () => {
  const processes: AppProcess[] = [];
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((app) => stopAppProcess(app, 'SIGKILL')));
    await testApp?.close();
    testApp = undefined;
  });

  it('should create each row once and lose none when the app is killed (-9) twice in the middle', async () => {
    // This process serves the sandbox on a fixed port and the app processes share it, so Partner Center outlives
    // them (as Microsoft does) and counts what they sent.
    const sandboxPort = String(await freePort());
    testApp = await createTestApp({ env: { JOB_WORKER: 'off', SANDBOX_PORT: sandboxPort } });
    const admin = (await setUpFirstAdmin(testApp)).agent;
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    const tenants = await seedTenants(
      testApp,
      brokerId,
      Array.from({ length: ROWS }, (_, i) => ({ name: `Killed Batch ${i}` })),
    );
    const batch = await draftBatch(
      testApp,
      'ada@contoso.test',
      tenants.map((tenant, i) => rowFor(tenant, i + 2)),
    );
    expect((await postButton(admin, `/attestation-batches/${batch.id}/confirm`)).status).toBe(303);
    const sandbox = sandboxOf(testApp);
    // Slow answers: a kill finds rows in flight, some of them already made by Partner Center.
    sandbox.faults.add({ method: 'POST', path: '/v1/attestations/enhanced', delayMs: 150, times: Infinity });

    const sql = testApp.app.get(SqlService);
    const created = async () => (await batchRows(testApp!, batch.id)).filter((r) => r.status === 'created').length;
    const env = {
      ...dbEnv(),
      DATA_DIR: testApp.dataDir,
      SANDBOX_PORT: sandboxPort,
      SYNC_INTERVAL_MINUTES: '0',
      JOB_POLL_MS: '50',
      JOB_RETRY_BASE_MS: '50',
      JOB_LEASE_MS: '1500',
      // Longer than the job's lease: the next process takes the job before the rows left sending count as abandoned,
      // sends the others, and comes back for those.
      BULK_ROW_LEASE_MS: '4000',
    };
    for (const killAfter of [6, 16]) {
      const app = startAppProcess(MAIN, env);
      processes.push(app);
      await eventually(async () => ((await created()) >= killAfter ? true : undefined), 20);
      // Some rows are being sent right now.
      expect((await batchRows(testApp, batch.id)).some((r) => r.status === 'sending')).toBe(true);
      app.child.kill('SIGKILL');
      await app.exited;
    }
    const last = startAppProcess(MAIN, env);
    processes.push(last);
    await eventually(async () => {
      const [row] = await sql.query<{ status: string }>`SELECT status FROM attestation_batches WHERE id = ${batch.id}`;
      return row.status === 'finished' ? true : undefined;
    }, 100);

    const rows = await batchRows(testApp, batch.id);
    expect(rows.map((r) => r.status)).toEqual(Array(ROWS).fill('created'));
    const attestations = await sql.query<{
      id: number | string;
      tenant_id: number | string;
      pc_attestation_id: string;
    }>`
      SELECT id, tenant_id, pc_attestation_id FROM attestations ORDER BY id`;
    expect(attestations).toHaveLength(ROWS);
    expect(new Set(attestations.map((a) => Number(a.tenant_id))).size).toBe(ROWS);
    expect(new Set(attestations.map((a) => a.pc_attestation_id)).size).toBe(ROWS);
    expect(new Set(rows.map((r) => Number(r.attestation_id))).size).toBe(ROWS);
    // Partner Center was asked once per row, or again with the same request id after a kill (the same operation).
    const creates = sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/v1/attestations/enhanced');
    expect(new Set(creates.map((r) => r.requestId)).size).toBe(ROWS);
    expect(creates.length).toBeGreaterThanOrEqual(ROWS);
    const [events] = await sql.query<{ n: number | string }>`
      SELECT COUNT(*) AS n FROM audit_events WHERE action = 'attestation.created'`;
    expect(Number(events.n)).toBe(ROWS);
    await stopAppProcess(last);
  }, 240_000);
});
