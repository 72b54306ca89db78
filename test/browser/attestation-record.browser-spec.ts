import { createAttestation, sandboxOf, syncTenants } from '../support/attestations';
import { JAVASCRIPT_MODES, startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';

const PHONE = { width: 390, height: 844 };
const DESK = { width: 1280, height: 900 };

// The printable record of an accepted attestation: every fact readable on a phone without sideways scrolling, on
// a desk and on paper (its 64-character hashes and long ids wrap).
describe('The attestation record in a browser', () => {
  let recordPath: string;
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after);
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
    return testApp;
  });

  for (const { name, javaScriptEnabled } of JAVASCRIPT_MODES) {
    it(`should fit a 390 px phone with ${name}, and a desk and paper`, async () => {
      const { page, consoleErrors } = await suite.open({
        javaScriptEnabled,
        viewport: PHONE,
        signInAs: 'ada@contoso.test',
      });
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
    });
  }
});
