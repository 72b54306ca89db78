import { DataSource, IsNull, Not, type Repository } from 'typeorm';
import type TestAgent from 'supertest/lib/agent';
import type { PartnerCenterSandbox } from '../../src/partner-center/sandbox/partner-center-sandbox';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { SyncRun } from '../../src/sync/sync-run.entity';
import { SYNC_PAGE_SIZE } from '../../src/sync/sync-runner';
import { SyncService } from '../../src/sync/sync.service';
import { Tenant } from '../../src/tenants/tenant.entity';
import { postForm, setUpFirstAdmin } from '../support/http';
import { eventually } from '../support/jobs';
import { gate } from '../support/sandbox';
import { createTestApp, type TestApp } from '../support/test-app';

const LIST_PAGE = 'seekOperation=Next'; // every page of the customer list after the first

// Issue 25: a sync holds one page of customers at a time. Each page is read and written before the next is asked
// for; the tenants gone from Partner Center are marked removed only once the whole list was read.
describe('A sync of customers on several pages', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let sandbox: PartnerCenterSandbox;
  let tenants: Repository<Tenant>;
  let runs: Repository<SyncRun>;
  let total: number;

  const startSync = () => postForm(admin, '/sync/status', '/sync', {});
  const syncNow = async () => {
    expect((await startSync()).status).toBe(303);
    await testApp.app.get(SyncService).whenIdle();
  };
  const latestRun = () => runs.findOneOrFail({ where: {}, order: { id: 'DESC' } });
  const listCalls = () => sandbox.callCounts.get('GET /v1/customers') ?? 0;

  beforeAll(async () => {
    testApp = await createTestApp({
      listen: true,
      env: { PARTNER_CENTER_RETRY_BASE_MS: '1', PARTNER_CENTER_RETRY_MAX_WAIT_MS: '5' },
    });
    admin = (await setUpFirstAdmin(testApp)).agent;
    sandbox = testApp.app.get(PartnerCenterSandboxService).server;
    // Three pages: two full ones and part of a third.
    for (let i = sandbox.customers().length; i < 2 * SYNC_PAGE_SIZE + 30; i++)
      sandbox.addCustomer({ companyName: `Paged Customer ${i}` });
    total = sandbox.customers().length;
    tenants = testApp.app.get(DataSource).getRepository(Tenant);
    runs = testApp.app.get(DataSource).getRepository(SyncRun);
  });
  afterAll(() => testApp.close());
  afterEach(() => sandbox.faults.clear());

  it('should keep the pages written before a failure part-way through the list, and say what they wrote', async () => {
    sandbox.faults.add({ path: LIST_PAGE, status: 500, times: Infinity });
    await syncNow();
    const run = await latestRun();
    expect(run).toMatchObject({ status: 'failed', created: SYNC_PAGE_SIZE, removed: 0 });
    expect(run.error).toMatch(
      new RegExp(`not available right now.*; before it stopped it had added ${SYNC_PAGE_SIZE}, updated 0`),
    );
    expect(await tenants.count()).toBe(SYNC_PAGE_SIZE);
  });

  it('should write each page before it asks for the next, and read every page', async () => {
    const listedBefore = listCalls();
    const held = gate();
    sandbox.faults.add({ path: LIST_PAGE, holdUntil: held.held });
    expect((await startSync()).status).toBe(303);
    // The second page is held: the first page's customers are all the run has read, and it has written them.
    const during = await eventually(async () => {
      const running = await latestRun();
      return running.status === 'running' && running.processed === SYNC_PAGE_SIZE ? running : undefined;
    });
    expect(during.total).toBeNull();
    expect(await tenants.count()).toBe(SYNC_PAGE_SIZE);
    expect((await admin.get('/sync/status')).text).toContain(`${SYNC_PAGE_SIZE} customers so far`);
    held.open();
    await testApp.app.get(SyncService).whenIdle();
    expect(await latestRun()).toMatchObject({
      status: 'succeeded',
      processed: total,
      total,
      created: total - SYNC_PAGE_SIZE,
      removed: 0,
    });
    expect(await tenants.count()).toBe(total);
    expect(listCalls() - listedBefore).toBe(3);
  });

  it('should mark the tenants gone from Partner Center removed only once the whole list was read', async () => {
    const [first, last] = [sandbox.customers()[0], sandbox.customers()[total - 1]];
    sandbox.removeCustomer(first.id);
    sandbox.removeCustomer(last.id);
    const removed = () => tenants.countBy({ removedAt: Not(IsNull()) });

    sandbox.faults.add({ path: LIST_PAGE, status: 500, times: Infinity });
    await syncNow();
    expect(await latestRun()).toMatchObject({ status: 'failed', removed: 0 });
    expect(await removed()).toBe(0);

    sandbox.faults.clear();
    await syncNow();
    expect(await latestRun()).toMatchObject({ status: 'succeeded', removed: 2, created: 0 });
    const gone = await tenants.find({ where: { removedAt: Not(IsNull()) }, order: { id: 'ASC' } });
    expect(gone.map((tenant) => tenant.microsoftTenantId).sort()).toEqual([first.id, last.id].sort());
  });
});
