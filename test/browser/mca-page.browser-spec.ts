import type { Page } from 'playwright-core';
import { JAVASCRIPT_MODES, startTestApp, useBrowserSuite } from '../support/browser';
import { createUser, setUpFirstAdmin } from '../support/http';
import { brokerIdOf, seedTenants } from '../support/tenants';

const tenantNames = (page: Page) => page.locator('.mca-table .tenant-name').allInnerTexts();
// Waits for the table to show this many rows (after a swap or a page load), then reads them. Locator waits, not
// page functions: the page's CSP forbids the eval that a polled function needs.
async function namesOnceShown(page: Page, count: number, first?: string): Promise<string[]> {
  const names = page.locator('.mca-table .tenant-name');
  await names.nth(count - 1).waitFor();
  await names.nth(count).waitFor({ state: 'detached' });
  if (first)
    await page.locator('.mca-table tbody tr:first-child .tenant-name', { hasText: new RegExp(`^${first}$`) }).waitFor();
  return tenantNames(page);
}
const actionLabels = (page: Page, tenant: string) =>
  page.locator('tr', { hasText: tenant }).locator('.row-menu ul a').allTextContents();

describe.each(JAVASCRIPT_MODES)('The MCA page in a browser with $name', ({ javaScriptEnabled }) => {
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after);
    await setUpFirstAdmin(testApp);
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    await createUser(testApp, brokerId, 'olga@contoso.test', 'operator', 'Olga Operator');
    await seedTenants(testApp, brokerId, [
      { name: 'Woodgrove Bank', status: 'none' },
      { name: 'Woodgrove Insurance', status: 'pending' },
      { name: 'Woodgrove Travel', status: 'direct' },
      { name: 'Fabrikam', status: 'attested' },
      ...Array.from({ length: 30 }, (_, i) => ({ name: `Customer ${i + 1}`, status: 'none' as const })),
    ]);
    return testApp;
  });

  it('should let a new user find a tenant by name, filter to no acceptance and see its actions', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'olga@contoso.test' });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customer Agreement' }).click();
    await page.waitForURL(`${suite.app.baseUrl}/mca`);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Microsoft Customer Agreement');
    await expect(page.locator('.mca-rate-value').innerText()).resolves.toBe('5.9%');
    await expect(tenantNames(page)).resolves.toHaveLength(25);

    // With JavaScript the table is swapped in place as one types (a full load would lose this marker);
    // without it, the search is a form sent with Enter.
    if (javaScriptEnabled) await page.evaluate('window.stillTheSamePage = true');
    const search = page.getByLabel('Search by name, domain or tenant ID');
    if (javaScriptEnabled) {
      await search.pressSequentially('woodg', { delay: 30 });
    } else {
      await search.fill('woodg');
      await search.press('Enter');
    }
    await page.waitForURL(/[?&]q=woodg/);
    await expect(namesOnceShown(page, 3, 'Woodgrove Bank')).resolves.toEqual([
      'Woodgrove Bank',
      'Woodgrove Insurance',
      'Woodgrove Travel',
    ]);
    if (javaScriptEnabled) {
      await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('mca-q');
      await page.locator('#mca-announce', { hasText: 'matching' }).waitFor({ state: 'attached' });
      await expect(page.locator('#mca-announce').innerText()).resolves.toBe('1–3 of 3 tenants matching “woodg”');
    }

    await page.getByRole('link', { name: /^No acceptance provided/ }).click();
    await page.waitForURL(/status=none/);
    await expect(namesOnceShown(page, 1)).resolves.toEqual(['Woodgrove Bank']);
    await expect(
      page.getByRole('link', { name: /^No acceptance provided/ }).getAttribute('aria-current'),
    ).resolves.toBe('true');
    await expect(actionLabels(page, 'Woodgrove Bank')).resolves.toEqual(['Create attestation', 'Acceptance details']);
    if (javaScriptEnabled) await expect(page.evaluate('window.stillTheSamePage')).resolves.toBe(true);

    // The row's menu opens from the keyboard, with or without JavaScript.
    const button = page.locator('tr', { hasText: 'Woodgrove Bank' }).locator('summary');
    await button.focus();
    await page.keyboard.press('Enter');
    const create = page.getByRole(javaScriptEnabled ? 'menuitem' : 'link', { name: 'Create attestation' });
    await expect(create.isVisible()).resolves.toBe(true);
    if (javaScriptEnabled) {
      // The <details>' own open state says so (aria-expanded is not allowed on <summary>).
      await expect(button.getAttribute('aria-expanded')).resolves.toBeNull();
      await expect(page.locator('tr', { hasText: 'Woodgrove Bank' }).locator('details[open]').count()).resolves.toBe(1);
      await expect(page.locator(':focus').getAttribute('data-action')).resolves.toBe('create');
      await page.keyboard.press('Escape');
      await expect(create.isVisible()).resolves.toBe(false);
      await expect(page.locator(':focus').textContent()).resolves.toBe('Actions for Woodgrove Bank');
    } else {
      await page.keyboard.press('Tab');
      await expect(page.locator(':focus').getAttribute('data-action')).resolves.toBe('create');
    }
    await expect(
      page.locator('tr', { hasText: 'Woodgrove Bank' }).locator('a[data-action="create"]').getAttribute('href'),
    ).resolves.toMatch(/^\/tenants\/\d+\/attestations\/new$/);

    // The back button returns to the search before the filter.
    await page.goBack();
    await page.waitForURL(/\/mca\?q=woodg(&size=25)?$/);
    await expect(namesOnceShown(page, 3, 'Woodgrove Bank')).resolves.toEqual([
      'Woodgrove Bank',
      'Woodgrove Insurance',
      'Woodgrove Travel',
    ]);

    const pending = page.locator('tr', { hasText: 'Woodgrove Insurance' });
    await pending.locator('summary').click();
    await expect(pending.locator('.row-menu ul a').allTextContents()).resolves.toEqual([
      'Create attestation',
      'View attestation',
      'View agreement (opens in a new tab)',
      'Finalize attestation',
      'Acceptance details',
    ]);

    expect(consoleErrors).toEqual([]);
  });

  it('should say when the list was loaded and offer Reload without JavaScript; with it, the list keeps itself current', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'olga@contoso.test' });
    await page.goto('/mca?status=none&page=2');
    const loaded = page.locator('#mca-loaded');
    if (!javaScriptEnabled) {
      await expect(loaded.innerText()).resolves.toMatch(/^Loaded at \d\d:\d\d UTC · Reload$/);
      const at = new Date((await loaded.locator('time').getAttribute('datetime')) ?? '');
      expect(Math.abs(Date.now() - at.getTime())).toBeLessThan(60_000);
      await loaded.getByRole('link', { name: 'Reload' }).click();
      await page.waitForURL(`${suite.app.baseUrl}/mca?status=none&page=2`);
      await expect(page.locator('.mca-table .tenant-name').count()).resolves.toBe(6);
    } else {
      await expect(loaded.count()).resolves.toBe(0);
    }
    expect(consoleErrors).toEqual([]);
  });

  it('should fit a 390 px phone: no sideways scrolling, every filter chip and every status whole in view', async () => {
    const { page, consoleErrors } = await suite.open({
      javaScriptEnabled,
      viewport: { width: 390, height: 844 },
      signInAs: 'olga@contoso.test',
    });
    await page.goto('/mca?status=all');
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
    const boxes = [
      ...(await page.locator('.mca-chips .chip').all()),
      ...(await page.locator('.mca-table .status').all()),
    ];
    expect(boxes.length).toBeGreaterThan(25);
    for (const box of boxes) {
      const rect = await box.boundingBox();
      const text = await box.innerText();
      expect({ text, left: rect!.x >= 0, right: rect!.x + rect!.width <= 390 }).toEqual({
        text,
        left: true,
        right: true,
      });
    }
    expect(consoleErrors).toEqual([]);
  });

  it('should keep the page head on one line at 1280 px for an admin: the title beside its menu', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'ada@contoso.test' });
    await page.goto('/mca');
    const title = (await page.locator('.page-head h1').boundingBox())!;
    const menu = (await page.locator('.page-head .page-menu').boundingBox())!;
    expect(menu.y).toBeLessThan(title.y + title.height);
    expect(menu.y + menu.height).toBeGreaterThan(title.y);
    expect(consoleErrors).toEqual([]);
  });

  it('should page and sort through the list', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'olga@contoso.test' });
    await page.goto('/mca');

    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: /Next/ }).click();
    await page.waitForURL(/page=2/);
    await expect(namesOnceShown(page, 9)).resolves.toHaveLength(9);

    await page.getByRole('link', { name: /^Status/ }).click();
    await page.waitForURL(/sort=status/);
    await expect(namesOnceShown(page, 25, 'Customer 1')).resolves.toContain('Customer 1');
    await expect(page.locator('th[aria-sort]').innerText()).resolves.toContain('Status');

    await page.getByLabel('Rows per page').selectOption('50');
    if (!javaScriptEnabled) await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/size=50/);
    await expect(namesOnceShown(page, 34)).resolves.toHaveLength(34);
    expect(consoleErrors).toEqual([]);
  });
});
