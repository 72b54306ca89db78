import type { Browser } from 'playwright-core';
import { createAttestation, sandboxOf, syncTenants } from '../support/attestations';
import { JAVASCRIPT_MODES, launchBrowser, openSession, signInWithBrowser } from '../support/browser';
import { DEFAULT_PASSWORD, setUpFirstAdmin } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

const PHONE = { width: 390, height: 844 };
const DESK = { width: 1280, height: 900 };

// The printable record of an accepted attestation: every fact readable on a phone without sideways scrolling, on
// a desk and on paper (its 64-character hashes and long ids wrap).
describe('The attestation record in a browser', () => {
  let browser: Browser;
  let testApp: TestApp;
  let recordPath: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    testApp = await createTestApp({ listen: true });
    const { agent } = await setUpFirstAdmin(testApp);
    const tenant = (await syncTenants(testApp, agent)).find((t) => t.status === 'none');
    if (!tenant) throw new Error('The sandbox has no tenant without acceptance');
    await createAttestation(agent, tenant.id, { autoFinalize: 'no', emailLink: 'yes' });
    recordPath = `/tenants/${tenant.id}/attestation/record`;
    const attestation = (await agent.get(`/tenants/${tenant.id}/attestation/record.json`)).body as {
      attestation: { partnerCenterAttestationId: string };
    };
    // The customer accepts; the admin's opening of the attestation observes it.
    sandboxOf(testApp).acceptAttestation(attestation.attestation.partnerCenterAttestationId);
    await agent.get(`/tenants/${tenant.id}/attestation`);
  });
  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  for (const { name, javaScriptEnabled } of JAVASCRIPT_MODES) {
    it(`should fit a 390 px phone with ${name}, and a desk and paper`, async () => {
      const { page, context, consoleErrors } = await openSession(browser, testApp.baseUrl, {
        javaScriptEnabled,
        viewport: PHONE,
      });
      await signInWithBrowser(page, testApp.baseUrl, 'ada@contoso.test', DEFAULT_PASSWORD);
      await page.goto(recordPath);
      await page.getByRole('heading', { name: 'Partner attestation record' }).waitFor();
      await expect(page.locator('#record-acceptance').innerText()).resolves.toContain('via the agreement link');
      await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(PHONE.width);
      await page.emulateMedia({ media: 'print' });
      await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(PHONE.width);
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize(DESK);
      await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(DESK.width);
      expect(consoleErrors).toEqual([]);
      await context.close();
    });
  }
});
