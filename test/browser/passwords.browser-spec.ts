import { JAVASCRIPT_MODES, signInWithBrowser, startTestApp, useBrowserSuite } from '../support/browser';
import { DEFAULT_PASSWORD, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { startSmtp, type TestSmtp } from '../support/smtp';

const PHONE = { width: 390, height: 844 };

describe.each(JAVASCRIPT_MODES)('Passwords in a browser on a phone with $name', ({ javaScriptEnabled }) => {
  let smtp: TestSmtp;
  const suite = useBrowserSuite(async (after) => {
    smtp = await startSmtp();
    after(() => smtp.stop());
    const testApp = await startTestApp(after, { env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url } });
    await setUpFirstAdmin(testApp);
    return testApp;
  });

  it('should reset a forgotten password from the emailed link, then change it from the header', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, viewport: PHONE });

    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill('ada@contoso.test');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Check your email');

    const mail = await eventually(async () => (await smtp.parsed()).find((m) => m.subject?.startsWith('Reset')));
    const link = /http:\/\/127\.0\.0\.1:\d+(\/password\/reset\/[A-Za-z0-9_-]{43})/.exec(mail.text ?? '');
    expect(link).not.toBeNull();
    await page.goto(link![1]);
    await page.getByLabel('New password', { exact: true }).fill(' '.repeat(14));
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expect(page.locator('#password-error').innerText()).resolves.toContain('only spaces');
    await page.getByLabel('New password', { exact: true }).fill('a phone-typed new passphrase');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.waitForURL(/\/login$/);
    await expect(page.getByRole('status').innerText()).resolves.toContain('Your password is changed');

    await signInWithBrowser(page, suite.app.baseUrl, 'ada@contoso.test', 'a phone-typed new passphrase');
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByLabel('Current password', { exact: true }).fill('a phone-typed new passphrase');
    await page.getByLabel('New password', { exact: true }).fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(`${suite.app.baseUrl}/`);
    await expect(page.getByRole('status').innerText()).resolves.toContain('Your password is changed');

    // The 422 of the refused new password is logged by Chromium as a failed resource; nothing else may be.
    expect(consoleErrors.filter((text) => !text.includes('status of 422'))).toEqual([]);
  });
});
