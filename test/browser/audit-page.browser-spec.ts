import { JAVASCRIPT_MODES, openAdminPage, signInWithBrowser, startTestApp, useBrowserSuite } from '../support/browser';
import { createUser, DEFAULT_PASSWORD, setUpFirstAdmin } from '../support/http';
import { brokerIdOf } from '../support/tenants';

describe.each(JAVASCRIPT_MODES)('The audit trail in a browser with $name', ({ javaScriptEnabled }) => {
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after);
    await setUpFirstAdmin(testApp);
    await createUser(testApp, await brokerIdOf(testApp, 'ada@contoso.test'), 'olga@contoso.test', 'operator');
    return testApp;
  });

  it('should open from the navigation, filter by action, and refuse a bad date next to the field', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled });
    const audited: { url: string; htmx: boolean }[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/audit')
        audited.push({ url: request.url(), htmx: request.headers()['hx-request'] === 'true' });
    });
    await signInWithBrowser(page, suite.app.baseUrl, 'ada@contoso.test', DEFAULT_PASSWORD);
    await openAdminPage(page, 'Audit trail');
    await page.waitForURL(`${suite.app.baseUrl}/audit`);
    const rows = page.locator('.audit-table tbody tr');
    await rows.first().waitFor();
    await expect(page.locator('.audit-table').innerText()).resolves.toContain('Organisation set up');

    await page.getByLabel('Action').selectOption('user.created');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForURL(/\/audit\?action=user\.created/);
    await page.locator('.audit-table', { hasNotText: 'Organisation set up' }).waitFor();
    const actions = await page.locator('.audit-table tbody tr td[data-label="Action"]').allInnerTexts();
    expect(actions.length).toBeGreaterThanOrEqual(1);
    expect(new Set(actions)).toEqual(new Set(['User created']));
    // With JavaScript htmx fetched the results; without it the form was a plain GET.
    const last = audited.at(-1) as { url: string; htmx: boolean };
    expect(new URL(last.url).searchParams.get('action')).toBe('user.created');
    expect(last.htmx).toBe(javaScriptEnabled);

    await page.getByLabel('From (UTC)').fill('2026-11-30');
    await page.getByLabel('To (UTC)').fill('2026-11-01');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect(page.locator('#audit-to-error').innerText()).resolves.toBe('The end date is before the start date');
    await expect(page.getByLabel('To (UTC)').getAttribute('aria-invalid')).resolves.toBe('true');

    // A 422 answer is logged by Chromium as a failed resource; anything else (CSP, script errors) is a defect.
    expect(consoleErrors.filter((text) => !text.includes('status of 422'))).toEqual([]);
  });

  it('should show the full hash to the keyboard, verify the chain, and fit a phone and a desk', async () => {
    for (const width of [390, 1280]) {
      const { page, consoleErrors, context } = await suite.open({
        javaScriptEnabled,
        viewport: { width, height: 900 },
        signInAs: 'ada@contoso.test',
      });
      await page.goto(`${suite.app.baseUrl}/audit`);
      const summary = page.locator('details.audit-hash > summary').first();
      const short = await summary.innerText();
      expect(short).toMatch(/^[0-9a-f]{10}$/);
      await summary.focus();
      await page.keyboard.press('Enter');
      const full = page.locator('details.audit-hash[open] dd code').first();
      await expect(full.innerText()).resolves.toMatch(new RegExp(`^${short}[0-9a-f]{54}$`));

      await page.getByRole('button', { name: 'Verify the chain' }).click();
      await expect(
        page
          .locator('#audit-verification')
          .getByText(/^Chain verified at .+ UTC: \d+ events, intact\.$/)
          .innerText(),
      ).resolves.toContain('intact');
      await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(width);
      await page.screenshot({
        path: `/tmp/wt-admin-audit-${width}-${javaScriptEnabled ? 'js' : 'nojs'}.png`,
        fullPage: true,
      });
      expect(consoleErrors).toEqual([]);
      await context.close();
    }
  });

  it('should not offer the audit trail to an operator', async () => {
    const { page } = await suite.open({ javaScriptEnabled, signInAs: 'olga@contoso.test' });
    await expect(page.getByRole('link', { name: 'Audit trail' }).count()).resolves.toBe(0);
  });
});
