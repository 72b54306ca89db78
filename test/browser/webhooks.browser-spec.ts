import { JAVASCRIPT_MODES, openAdminPage, startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import { verified, WEBHOOK_TEST_ENV, WebhookReceiver } from '../support/webhook-receiver';

describe.each(JAVASCRIPT_MODES)('Webhooks page in a browser with $name', ({ javaScriptEnabled }) => {
  let receiver: WebhookReceiver;
  const suite = useBrowserSuite(async (after) => {
    receiver = await new WebhookReceiver().start();
    after(() => receiver.stop());
    const testApp = await startTestApp(after, { env: { ...WEBHOOK_TEST_ENV, SYNC_INTERVAL_MINUTES: '0' } });
    await setUpFirstAdmin(testApp);
    return testApp;
  });

  it('should register an endpoint, show its secret once, send a test event and list the attempt', async () => {
    const testApp = suite.app;
    const path = `/browser-${javaScriptEnabled ? 'js' : 'nojs'}`;
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'ada@contoso.test' });
    await openAdminPage(page, 'Webhooks');
    await page.waitForURL(`${testApp.baseUrl}/webhooks`);

    // A refused form keeps what was typed and says what is wrong next to the field.
    await page.getByLabel('URL').fill('ftp://files.example.com/hook');
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    await expect(page.locator('#url-error').innerText()).resolves.toContain('Enter an http:// or https:// URL');
    await expect(page.locator('#events-error').innerText()).resolves.toContain('Choose at least one event');
    await expect(page.getByLabel('URL').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('URL').inputValue()).resolves.toBe('ftp://files.example.com/hook');

    await page.getByLabel('URL').fill(`${receiver.url}${path}`);
    await page.getByLabel('Description (optional)').fill('Billing system');
    await page.getByLabel(/attestation\.finalized/).check();
    await page.getByLabel(/tenant\.status_changed/).check();
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    await page.waitForURL(/\/webhooks\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Billing system');
    const secret = await page.locator('#secret-value').innerText();
    expect(secret).toMatch(/^whsec_/);

    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.waitForURL(/\/webhooks\/\d+$/);
    await expect(page.locator('#secret-value').count()).resolves.toBe(0);
    await expect(page.getByRole('status').first().innerText()).resolves.toContain('A test event');
    const [request] = await (async () => {
      for (;;) {
        if (receiver.to(path).length > 0) return receiver.to(path);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    expect(verified(secret, request).type).toBe('webhook.test');
    await page.reload();
    await expect(page.locator('.webhook-log tbody tr').first().innerText()).resolves.toContain('HTTP 200');
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({
        path: `/tmp/wt-webhooks-${width}-${javaScriptEnabled ? 'js' : 'nojs'}.png`,
        fullPage: true,
      });
      await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(width);
    }
    await page.goto(`${testApp.baseUrl}/webhooks`);
    await page.screenshot({ path: `/tmp/wt-webhooks-list-${javaScriptEnabled ? 'js' : 'nojs'}.png`, fullPage: true });
    // The refused form's 422 is logged by Chromium as a failed resource; nothing else may be.
    expect(consoleErrors.filter((text) => !text.includes('status of 422'))).toEqual([]);
  });
});
