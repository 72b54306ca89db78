import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { SyncRun } from '../../src/sync/sync-run.entity';
import { SyncService } from '../../src/sync/sync.service';
import { Tenant } from '../../src/tenants/tenant.entity';
import { TENANT_TEXT_MAX } from '../../src/tenants/tenant-merge';
import { postForm, setUpFirstAdmin } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

// Odd records from Partner Center (issue 11): each is kept as well as it can be, counted and named on the sync
// status, and the sync of every other customer goes on.
describe('A sync with unusual Partner Center data', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true });
  });
  afterAll(() => testApp.close());

  it('should keep every customer it can, and show how many had unusual data and which', async () => {
    const { agent } = await setUpFirstAdmin(testApp);
    const sandbox = testApp.app.get(PartnerCenterSandboxService).server;
    const signed = sandbox.addCustomer({ companyName: 'Signed With Odd Date', directlySigned: true });
    const longName = randomUUID();
    const noName = randomUUID();
    const noId = { companyProfile: { companyName: 'Nobody Knows', domain: 'noid.example' } };
    sandbox.faults.add({
      path: '/v1/customers?',
      body: {
        totalCount: 5,
        items: [
          { id: signed.id, companyProfile: { companyName: signed.companyName, domain: signed.domain } },
          { id: longName, companyProfile: { companyName: `Long ${'n'.repeat(600)}`, domain: 'long.example' } },
          { id: noName, companyProfile: { domain: 'noname.example' } },
          noId,
          { id: randomUUID(), companyProfile: { companyName: 'Plain Customer', domain: 'plain.example' } },
        ],
      },
    });
    sandbox.faults.add({
      path: `/v1/customers/${signed.id}/agreements`,
      body: { totalCount: 1, items: [{ templateId: 't', dateAgreed: 'the day before yesterday' }] },
    });

    expect((await postForm(agent, '/sync/status', '/sync', {})).status).toBe(303);
    await testApp.app.get(SyncService).whenIdle();

    const dataSource = testApp.app.get(DataSource);
    const run = await dataSource.getRepository(SyncRun).findOneByOrFail({});
    expect(run).toMatchObject({ status: 'succeeded', created: 4, unusualCount: 4 });
    const tenants = await dataSource.getRepository(Tenant).find({ order: { id: 'ASC' } });
    expect(tenants.map((tenant) => [tenant.microsoftTenantId, tenant.name, tenant.status])).toEqual([
      [signed.id.toLowerCase(), 'Signed With Odd Date', 'direct'],
      [longName, `Long ${'n'.repeat(TENANT_TEXT_MAX - 5)}`, 'none'],
      [noName, 'noname.example', 'none'],
      [expect.any(String), 'Plain Customer', 'none'],
    ]);
    // Directly signed, its date unreadable: accepted as of when the sync first saw it signed.
    expect(tenants[0].acceptedAt).not.toBeNull();

    const page = await agent.get('/sync/status');
    expect(page.text).toContain('4 customers had unusual data');
    for (const id of [signed.id, longName, noName, '(none)'])
      expect(page.text).toContain(`<code dir="auto">${id}</code>`);
  });
});
