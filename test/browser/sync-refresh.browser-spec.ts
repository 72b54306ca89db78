import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { SyncService } from '../../src/sync/sync.service';
import { startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import { gate } from '../support/sandbox';

// With JavaScript, the end of a sync updates everything that depends on the tenants in place: the list and its
// chips, the summary bar with the compliance rate, and the "sync started" message.
describe('The MCA page after a sync, with JavaScript on', () => {
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after);
    await setUpFirstAdmin(testApp);
    return testApp;
  });

  it('should show the summary, the chips and the finished message once the first sync ends, without a reload', async () => {
    const testApp = suite.app;
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled: true, signInAs: 'ada@contoso.test' });
    await page.goto('/mca');
    await expect(page.locator('.mca-summary').count()).resolves.toBe(0);

    const customerList = gate();
    testApp.app
      .get(PartnerCenterSandboxService)
      .server.faults.add({ path: '/v1/customers?', holdUntil: customerList.held });
    await page.getByRole('button', { name: 'Refresh from Microsoft' }).click();
    await page.waitForURL(`${testApp.baseUrl}/mca`);
    await expect(page.locator('#flash-sync').innerText()).resolves.toBe('Sync from Microsoft started.');
    await expect(page.locator('#sync-status').innerText()).resolves.toContain('Syncing from Microsoft');
    await page.evaluate('window.stillTheSamePage = true');

    customerList.open();
    await testApp.app.get(SyncService).whenIdle();
    await page.locator('.mca-summary .mca-rate-value').waitFor();
    await page.locator('#flash-sync', { hasText: 'Sync from Microsoft finished' }).waitFor();
    await page.locator('#mca-results .tenant-name').first().waitFor();

    const shown = {
      rate: await page.locator('.mca-rate-value').innerText(),
      rateLabel: await page.locator('.mca-rate-label').innerText(),
      legend: await page.locator('.mca-legend').innerText(),
      all: await page.locator('#chip-all .chip-count').innerText(),
      none: await page.locator('#chip-none .chip-count').innerText(),
    };
    expect(shown.all).toBe('40');
    await expect(page.locator('#sync-status').innerText()).resolves.toContain('Last synced from Microsoft:');
    await expect(page.evaluate('window.stillTheSamePage')).resolves.toBe(true);

    // What a reload shows is what the page already showed.
    await page.reload();
    await expect(page.locator('.mca-rate-value').innerText()).resolves.toBe(shown.rate);
    await expect(page.locator('.mca-rate-label').innerText()).resolves.toBe(shown.rateLabel);
    await expect(page.locator('.mca-legend').innerText()).resolves.toBe(shown.legend);
    await expect(page.locator('#chip-none .chip-count').innerText()).resolves.toBe(shown.none);
    await expect(page.locator('#flash-sync').count()).resolves.toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
