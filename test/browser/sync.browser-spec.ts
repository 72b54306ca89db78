import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { SyncService } from '../../src/sync/sync.service';
import { JAVASCRIPT_MODES, startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import { gate } from '../support/sandbox';

describe.each(JAVASCRIPT_MODES)(
  'Partner Center connection and sync in a browser with $name',
  ({ javaScriptEnabled }) => {
    const suite = useBrowserSuite(async (after) => {
      const testApp = await startTestApp(after);
      await setUpFirstAdmin(testApp);
      return testApp;
    });

    it('should connect a Partner Center user, sync, and show the customers', async () => {
      const testApp = suite.app;
      const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'ada@contoso.test' });

      await page.goto('/settings/partner-center');
      await page.getByRole('button', { name: 'Test connection' }).click();
      await expect(page.getByRole('status').first().innerText()).resolves.toContain('Connected: 40 customers visible');
      // A new broker starts with the sandbox's partner user connected; connect one through the sign-in instead.
      await expect(page.locator('#main').innerText()).resolves.toMatch(
        /Connected as admin@sandbox-partner\.onmicrosoft\.com since/,
      );
      await page.getByRole('button', { name: 'Disconnect' }).click();
      await page.getByRole('button', { name: 'Connect a Partner Center user' }).click();
      await page.getByRole('button', { name: /^Sign in as / }).click();
      await page.waitForURL(`${testApp.baseUrl}/settings/partner-center`);
      await expect(page.locator('#main').innerText()).resolves.toMatch(/Connected as .+ since/);

      await page.goto('/mca');
      await expect(page.locator('#sync-status').innerText()).resolves.toContain('Not synced from Microsoft yet.');
      // The customer list is held until the page has shown the running sync.
      const customerList = gate();
      testApp.app
        .get(PartnerCenterSandboxService)
        .server.faults.add({ path: '/v1/customers?', holdUntil: customerList.held });
      await page.getByRole('button', { name: 'Refresh from Microsoft' }).click();
      await page.waitForURL(`${testApp.baseUrl}/mca`);
      await expect(page.locator('#sync-status').innerText()).resolves.toContain('Syncing from Microsoft');
      await expect(page.locator('#mca-results').innerText()).resolves.not.toContain('Adatum Corporation');
      customerList.open();
      await testApp.app.get(SyncService).whenIdle();
      // With JavaScript the polled status notices the end and reloads the table; without, the user reloads.
      if (!javaScriptEnabled) await page.reload();
      await page.locator('#mca-results').getByText('Adatum Corporation').first().waitFor();
      await expect(page.locator('#sync-status').innerText()).resolves.toContain('Last synced from Microsoft:');
      expect(consoleErrors).toEqual([]);
    });
  },
);
