import type { Page } from 'playwright-core';
import { JAVASCRIPT_MODES, openAdminPage, startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';

const PHONE = { width: 390, height: 844 };
const DESK = { width: 1280, height: 900 };

const scrollsSideways = (page: Page) =>
  page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');

// The whole story of the README: an admin turns "Sign in with Microsoft" on against an OpenID provider (the test
// one, as Entra ID), signs out, and signs in again through the provider's sign-in page.
describe.each(JAVASCRIPT_MODES)('Sign in with Microsoft in a browser with $name', ({ name, javaScriptEnabled }) => {
  let provider: TestOidcProvider;
  const shot = (page: Page, what: string) =>
    page.screenshot({ path: `/tmp/wt-entra-${what}-${name.replace(/\W+/g, '-').toLowerCase()}.png`, fullPage: true });

  const suite = useBrowserSuite(async (after) => {
    provider = await startOidcProvider();
    after(() => provider.stop());
    const testApp = await startTestApp(after, { env: { ENTRA_AUTHORITY: provider.authority } });
    await provider.control({ redirectUris: [`${testApp.baseUrl}/login/microsoft/callback`] });
    await setUpFirstAdmin(testApp);
    return testApp;
  });

  it('should let an admin turn it on from a phone, then sign in with Microsoft from the sign-in page', async () => {
    const { page, consoleErrors } = await suite.open({
      javaScriptEnabled,
      viewport: PHONE,
      signInAs: 'ada@contoso.test',
    });
    await openAdminPage(page, 'Microsoft sign-in');
    await expect(page.locator('#redirect-uri').innerText()).resolves.toBe(
      `${suite.app.baseUrl}/login/microsoft/callback`,
    );
    expect(await scrollsSideways(page)).toBe(false);

    await page.getByLabel('Offer “Sign in with Microsoft” on the sign-in page').check();
    await page.getByLabel('Directory (tenant) id').fill('not a guid');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.locator('#tenantId-error').innerText()).resolves.toContain('must be a GUID');
    await expect(page.getByLabel('Offer “Sign in with Microsoft” on the sign-in page').isChecked()).resolves.toBe(true);
    expect(await scrollsSideways(page)).toBe(false);
    await shot(page, 'settings-refused');

    await page.getByLabel('Directory (tenant) id').fill(provider.tenantId);
    await page.getByLabel('Application (client) id').fill(provider.clientId);
    await page.getByLabel('Client secret').fill(provider.clientSecret);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toContain('settings saved');
    expect(await scrollsSideways(page)).toBe(false);
    await shot(page, 'settings');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    expect(await scrollsSideways(page)).toBe(false);
    await shot(page, 'login');
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL(new RegExp(`^${provider.authority}/`));
    await page.getByPlaceholder('Enter any login').fill('ada@contoso.test');
    await page.getByPlaceholder('and password').fill('any password at the provider');
    await page.getByRole('button', { name: 'Sign-in' }).click();

    await page.waitForURL(`${suite.app.baseUrl}/`);
    await expect(page.getByRole('status').innerText()).resolves.toContain(
      'Signed in with Microsoft as ada@contoso.test',
    );
    await page.goto('/users');
    await expect(page.locator('.sign-in-method').first().innerText()).resolves.toBe('with Microsoft');
    // A refused form's 422 is Chromium's console error too, and so are the provider's page's fonts and favicon.
    expect(consoleErrors.filter((message) => !message.startsWith('Failed to load resource'))).toEqual([]);
  });

  it('should fit the settings page on a desk, and the refusal of a stale answer on a phone', async () => {
    const desk = await suite.open({ javaScriptEnabled, viewport: DESK, signInAs: 'ada@contoso.test' });
    await desk.page.goto('/settings/microsoft-sign-in');
    await shot(desk.page, 'settings-desk');
    await desk.context.close();

    const phone = await suite.open({ javaScriptEnabled, viewport: PHONE });
    const response = await phone.page.goto('/login/microsoft/callback?code=stale&state=stale');
    expect(response?.status()).toBe(400);
    await expect(phone.page.getByRole('alert').innerText()).resolves.toContain('was not started here');
    expect(await scrollsSideways(phone.page)).toBe(false);
    await shot(phone.page, 'refused');
    await phone.page.getByRole('button', { name: 'Back to sign in' }).click();
    await phone.page.waitForURL(/\/login$/);
  });
});
