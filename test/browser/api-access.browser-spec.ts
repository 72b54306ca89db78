import { apiClient } from '../support/api';
import { JAVASCRIPT_MODES, openAdminPage, startTestApp, useBrowserSuite } from '../support/browser';
import { createUser, setUpFirstAdmin } from '../support/http';
import { brokerIdOf } from '../support/tenants';
import type { TestApp } from '../support/test-app';

describe.each(JAVASCRIPT_MODES)('API access in a browser with $name', ({ javaScriptEnabled }) => {
  const suite = useBrowserSuite<TestApp>(async (after) => {
    const testApp = await startTestApp(after);
    await setUpFirstAdmin(testApp);
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    await createUser(testApp, brokerId, 'olga@contoso.test', 'operator');
    await createUser(testApp, brokerId, 'vic@contoso.test', 'viewer');
    return testApp;
  });

  it('should let an admin create a token, see it once, and revoke it', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'ada@contoso.test' });
    await openAdminPage(page, 'API access');
    await page.waitForURL(`${suite.app.baseUrl}/api-access`);
    await expect(page.locator('#no-tokens').innerText()).resolves.toContain('No tokens yet');

    await page.getByLabel('Name').fill('Billing system');
    await page.getByLabel('Read and write').check();
    await page.getByLabel('On a date').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.locator('#expiresOn-error').innerText()).resolves.toBe('Choose the date the token stops working');
    await expect(page.getByLabel('Expiry date').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Billing system');

    await page.getByLabel('Expiry date').fill('2099-01-31');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.waitForURL(`${suite.app.baseUrl}/api-access`);
    await expect(page.getByRole('heading', { name: 'Copy the token “Billing system” now' }).isVisible()).resolves.toBe(
      true,
    );
    const shown = page.getByLabel('The new token (Read and write)');
    const token = await shown.inputValue();
    expect(token).toMatch(/^mcam_[A-Za-z0-9_-]{43}$/);
    // The input has focus, so that a screen reader starts at the token; the copy button needs JavaScript.
    await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('new-token');
    await expect(page.getByRole('button', { name: 'Copy' }).isVisible()).resolves.toBe(javaScriptEnabled);
    const row = page.locator('#api-tokens tbody tr', { hasText: 'Billing system' });
    await expect(row.locator('td[data-label="Starts with"]').innerText()).resolves.toBe(`${token.slice(0, 12)}…`);
    await expect(row.locator('td[data-label="Expires"]').innerText()).resolves.toContain('31 Jan 2099');
    await expect(row.locator('td[data-label="Status"]').innerText()).resolves.toBe('Active');
    await apiClient(suite.app, token).get('/api/v1/token').expect(200);

    await page.reload();
    await expect(page.locator('#new-token').count()).resolves.toBe(0);
    await expect(page.content()).resolves.not.toContain(token);

    await row.getByRole('button', { name: 'Revoke Billing system' }).click();
    if (javaScriptEnabled) {
      const dialog = page.getByRole('dialog', { name: 'Revoke the token “Billing system”?' });
      await expect(dialog.isVisible()).resolves.toBe(true);
      await dialog.getByRole('button', { name: 'Keep it' }).click();
      await expect(dialog.isVisible()).resolves.toBe(false);
      await row.getByRole('button', { name: 'Revoke Billing system' }).click();
      await dialog.getByRole('button', { name: 'Revoke token' }).click();
    } else {
      await page.waitForURL(/\/api-access\/\d+\/revoke$/);
      await page.getByRole('button', { name: 'Revoke token' }).click();
    }
    await page.waitForURL(`${suite.app.baseUrl}/api-access`);
    await expect(page.getByRole('status').first().innerText()).resolves.toContain(
      'The token “Billing system” is revoked',
    );
    await expect(row.locator('td[data-label="Status"]').innerText()).resolves.toContain('Revoked');
    await apiClient(suite.app, token).get('/api/v1/token').expect(401);

    // The refused form's 422 is logged by Chromium as a failed resource; nothing else may be.
    expect(consoleErrors.filter((text) => !text.includes('status of 422'))).toEqual([]);
  });

  it('should keep operators and viewers away from the page', async () => {
    for (const email of ['olga@contoso.test', 'vic@contoso.test']) {
      const { page } = await suite.open({ javaScriptEnabled, signInAs: email });
      await expect(page.locator('.app-header').getByText('Administration').count()).resolves.toBe(0);
      const response = await page.goto('/api-access');
      expect(response?.status()).toBe(403);
      await expect(page.content()).resolves.not.toContain('Create a token');
    }
  });
});
