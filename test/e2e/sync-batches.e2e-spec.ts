import { DataSource } from 'typeorm';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { SqlService } from '../../src/database/sql.service';
import { SyncRun } from '../../src/sync/sync-run.entity';
import { SyncService } from '../../src/sync/sync.service';
import { MERGE_BATCH } from '../../src/tenants/tenant-writer';
import { postForm, setUpFirstAdmin } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

// A sync writes in batches of its own transactions; one that fails part-way keeps what it wrote and says so.
describe('A sync that fails while writing', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true });
  });
  afterAll(() => testApp.close());

  it('should keep the batches written before the failure, and say on the run what they wrote', async () => {
    const { agent } = await setUpFirstAdmin(testApp);
    const sandbox = testApp.app.get(PartnerCenterSandboxService).server;
    // After the sandbox's own customers, enough new ones for a second batch, the poisoned one in it.
    const already = sandbox.customers().length;
    for (let i = already; i < MERGE_BATCH + 20; i++) sandbox.addCustomer({ companyName: `Batch Customer ${i}` });
    sandbox.addCustomer({ companyName: 'Poisoned Customer' });
    // A database that refuses one row, as a full disk or a broken constraint would, in the middle of the write.
    const sql = testApp.app.get(SqlService);
    if (sql.dialect.name === 'sqlite') {
      await sql.transaction((tx) =>
        tx.run(
          `CREATE TRIGGER poison BEFORE INSERT ON tenants WHEN new.name = 'Poisoned Customer'
           BEGIN SELECT RAISE(ABORT, 'refused'); END`,
          [],
        ),
      );
    } else {
      await sql.transaction(async (tx) => {
        await tx.run(
          `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN IF NEW.name = 'Poisoned Customer' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`,
          [],
        );
        await tx.run('CREATE TRIGGER poison BEFORE INSERT ON tenants FOR EACH ROW EXECUTE FUNCTION poison()', []);
      });
    }

    expect((await postForm(agent, '/sync/status', '/sync', {})).status).toBe(303);
    await testApp.app.get(SyncService).whenIdle();

    const run = await testApp.app.get(DataSource).getRepository(SyncRun).findOneByOrFail({});
    expect(run).toMatchObject({ status: 'failed', created: MERGE_BATCH, updated: 0, removed: 0 });
    expect(run.error).toMatch(
      new RegExp(`before it stopped it had added ${MERGE_BATCH}, updated 0 and marked 0 removed$`),
    );
    const [{ n }] = await sql.query<{ n: number | string }>`SELECT count(*) AS n FROM tenants`;
    expect(Number(n)).toBe(MERGE_BATCH);
    const page = await agent.get('/sync/status');
    expect(page.text).toContain(`before it stopped it had added ${MERGE_BATCH}`);
  });
});
