import { JAVASCRIPT_MODES, startTestApp, useBrowserSuite } from '../support/browser';
import { DEFAULT_PASSWORD } from '../support/http';

describe.each(JAVASCRIPT_MODES)('First start in a browser with $name', ({ javaScriptEnabled }) => {
  const suite = useBrowserSuite((after) => startTestApp(after));

  it('should set up, see the overview, sign out and sign in again', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled });

    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Set up MCA Manager');
    await page.getByLabel('Organisation name').fill('Fabrikam Partners');
    await page.getByLabel('Your name').fill('Grace Admin');
    await page.getByLabel('Your email').fill('grace@fabrikam.test');
    await page.getByLabel('Password').fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Create organisation and sign in' }).click();

    await page.waitForURL(`${suite.app.baseUrl}/`);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Microsoft 365 CSP Direct');
    await expect(page.getByRole('navigation', { name: 'Breadcrumb' }).innerText()).resolves.toContain('My Services');
    await expect(page.locator('.who').innerText()).resolves.toContain('Fabrikam Partners');
    await expect(page.getByRole('status').innerText()).resolves.toContain('Fabrikam Partners is set up');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Email').fill('grace@fabrikam.test');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('Email or password is incorrect.');

    await page.getByLabel('Password').fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${suite.app.baseUrl}/`);
    await expect(page.locator('.who').innerText()).resolves.toContain('Grace Admin');

    // A refused sign-in answers 401, which Chromium logs as a failed resource; anything else (a CSP violation,
    // a script error) is a defect.
    expect(consoleErrors.filter((text) => !text.includes('status of 401'))).toEqual([]);
  });
});
