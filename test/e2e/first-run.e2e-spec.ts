import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { SyncService } from '../../src/sync/sync.service';
import { postForm, setUpFirstAdmin } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

// The "done when": on a fresh start, with nothing configured, the first sync brings the sandbox's
// customers, with the direct acceptances marked.
describe('A fresh install in sandbox mode', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp({ listen: true });
  });
  afterAll(() => testApp.close());

  it('should show the sandbox’s tenants after the first sync, direct acceptances marked', async () => {
    const { agent } = await setUpFirstAdmin(testApp);
    const empty = await agent.get('/mca');
    expect(empty.text).toContain('No tenants yet');

    const started = await postForm(agent, '/mca', '/sync', {});
    expect(started.status).toBe(303);
    await testApp.app.get(SyncService).whenIdle();

    // Direct: accepted in the Microsoft 365 admin center, with no partner attestation beside it.
    const directCustomers = testApp.app
      .get(PartnerCenterSandboxService)
      .server.customers()
      .filter((customer) => customer.directlySigned && customer.agreements.length === 0);
    expect(directCustomers.length).toBeGreaterThan(0);
    const all = await agent.get('/mca');
    expect(all.text).not.toContain('The last sync from Microsoft failed');
    expect(all.text).toContain('Last synced from Microsoft:');
    expect(all.text).toMatch(/Showing <strong>1–25 of 40<\/strong> tenants/);
    const direct = await agent.get('/mca?status=direct');
    expect(direct.text).toMatch(
      new RegExp(`Showing <strong>1–${directCustomers.length} of ${directCustomers.length}</strong> tenants`),
    );
    for (const customer of directCustomers) expect(direct.text).toContain(customer.id);
  });
});
