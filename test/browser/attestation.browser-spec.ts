import type { Page } from 'playwright-core';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { SIGNATORY, syncTenants } from '../support/attestations';
import { JAVASCRIPT_MODES, startTestApp, useBrowserSuite, type BrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import type { TestApp } from '../support/test-app';

// The customer's signatory on a 390 px phone: the agreement page frames the acceptance component, as Microsoft's
// embeddable component would be framed; nothing on the page scrolls sideways.
async function acceptOnPhone(suite: BrowserSuite<TestApp>, link: string, name: string, javaScriptEnabled: boolean) {
  const phone = await suite.open({ javaScriptEnabled, viewport: { width: 390, height: 844 } });
  await phone.page.goto(link);
  await phone.page.getByRole('heading', { name: 'Microsoft Customer Agreement', level: 1 }).waitFor();
  const component = phone.page.frameLocator('#agreement-component');
  await component.getByRole('heading', { name: 'Accept the Microsoft Customer Agreement' }).waitFor();
  await expect(phone.page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
  await component.getByLabel(`I am authorized to accept on behalf of ${name}`).check();
  await component.getByRole('button', { name: 'Accept' }).click();
  await component.locator('#acceptance-status', { hasText: 'Accepted on' }).waitFor();
  await expect(phone.page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
  expect(phone.consoleErrors).toEqual([]);
}

// The partner opens the attestation (which asks Partner Center at once); auto-finalize then reaches Attested.
async function waitForAttested(page: Page, tenantId: number, name: string): Promise<void> {
  for (;;) {
    await page.goto(`/tenants/${tenantId}/attestation`);
    if ((await page.locator('#attestation-status').innerText()) === 'Finalized') break;
    await page.waitForTimeout(200);
  }
  await page.goto(`/mca?q=${encodeURIComponent(name)}`);
  await page.locator('tr', { hasText: name }).locator('.status-attested').waitFor();
}

async function fillForm(page: Page): Promise<void> {
  await page.getByLabel('First name').fill(SIGNATORY.signatoryFirstName);
  await page.getByLabel('Last name').fill(SIGNATORY.signatoryLastName);
  await page.getByLabel('Email', { exact: true }).fill(SIGNATORY.signatoryEmail);
  await page.getByLabel('Phone').fill(SIGNATORY.signatoryPhone);
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel('Language').selectOption('en-GB');
}

describe('Attestations in a browser', () => {
  let tenants: Tenant[]; // without acceptance
  let synced: Tenant[];
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after);
    const { agent } = await setUpFirstAdmin(testApp);
    synced = await syncTenants(testApp, agent);
    tenants = synced.filter((t) => t.status === 'none');
    return testApp;
  });

  it('should create an attestation in a dialog opened from the row menu by keyboard, copy the link and give focus back', async () => {
    const tenant = tenants[0];
    const { page, context, consoleErrors } = await suite.open({
      javaScriptEnabled: true,
      signInAs: 'ada@contoso.test',
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.app.baseUrl });
    await page.goto(`/mca?q=${encodeURIComponent(tenant.name)}`);

    const row = page.locator('tr', { hasText: tenant.name });
    const actions = row.locator('summary');
    await actions.focus();
    await page.keyboard.press('Enter');
    await expect(page.locator(':focus').innerText()).resolves.toBe('Create attestation');
    await page.keyboard.press('Enter');

    const dialog = page.locator('dialog#attestation-dialog[open]');
    await dialog.waitFor();
    await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('signatoryFirstName');
    await expect(dialog.locator('#attestation-status').innerText()).resolves.toBe(
      'Available once the link is generated',
    );
    await expect(dialog.getByLabel('Company name').inputValue()).resolves.toBe(tenant.name);
    // Tab never leaves a modal dialog.
    for (let i = 0; i < 20; i++) await page.keyboard.press('Tab');
    await expect(page.locator('dialog :focus').count()).resolves.toBe(1);

    await fillForm(page);
    await dialog.getByLabel('Email', { exact: true }).fill('not-an-email');
    await dialog.getByRole('button', { name: 'Generate agreement link' }).click();
    await dialog.locator('#signatoryEmail-error').waitFor();
    await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('signatoryEmail');
    await dialog.getByLabel('Email', { exact: true }).fill(SIGNATORY.signatoryEmail);
    await dialog.getByRole('button', { name: 'Generate agreement link' }).click();

    await dialog.getByRole('heading', { name: 'Agreement link generated' }).waitFor();
    await expect(dialog.locator('#attestation-status').innerText()).resolves.toBe('Awaiting acceptance');
    const link = await dialog.locator('input#attestation-link').inputValue();
    expect(link.startsWith(`${suite.app.baseUrl}/agreement/`)).toBe(true);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.locator('.copy-status', { hasText: 'Copied' }).waitFor();
    await expect(page.evaluate('navigator.clipboard.readText()')).resolves.toBe(link);

    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.locator('dialog#attestation-dialog:not([open])').waitFor({ state: 'attached' });
    expect(page.url()).toContain('/mca?q='); // the link did not navigate: the dialog closed in place
    // The list refreshes behind the closed dialog; focus is on the row's Actions button again.
    await row.locator('.attestation-wait', { hasText: 'Awaiting acceptance' }).waitFor();
    await row.locator('summary:focus').waitFor();
    expect(consoleErrors.filter((error) => !error.includes('422 (Unprocessable Entity)'))).toEqual([]);

    await acceptOnPhone(suite, link, tenant.name, true);
    await waitForAttested(page, tenant.id, tenant.name);
  });

  it('should do the same with full pages when JavaScript is off', async () => {
    const tenant = tenants[1];
    const { page } = await suite.open({ javaScriptEnabled: false, signInAs: 'ada@contoso.test' });
    await page.goto(`/mca?q=${encodeURIComponent(tenant.name)}`);
    const row = page.locator('tr', { hasText: tenant.name });
    await row.locator('summary').click();
    await row.getByRole('link', { name: 'Create attestation' }).click();
    await page.waitForURL(`${suite.app.baseUrl}/tenants/${tenant.id}/attestations/new`);
    await expect(page.locator('#attestation-link').innerText()).resolves.toBe('Available once the link is generated');
    await fillForm(page);
    await page.getByRole('button', { name: 'Generate agreement link' }).click();
    await page.waitForURL(`${suite.app.baseUrl}/tenants/${tenant.id}/attestation`);
    await expect(page.locator('#attestation-status').innerText()).resolves.toBe('Awaiting acceptance');
    await expect(page.getByRole('button', { name: 'Copy' }).isVisible()).resolves.toBe(false);
    const link = await page.locator('input#attestation-link').inputValue();
    expect(link).toContain('/agreement/');

    await page.getByRole('link', { name: 'printable record' }).click();
    await page.getByRole('heading', { name: 'Partner attestation record' }).waitFor();
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.app-header').isVisible()).resolves.toBe(false);
    await page.emulateMedia({ media: 'screen' });

    await acceptOnPhone(suite, link, tenant.name, false);
    await waitForAttested(page, tenant.id, tenant.name);
  });

  // Issue 19: on an accepted tenant a new attestation and its cancel used to leave "No acceptance provided".
  for (const { name: mode, javaScriptEnabled } of JAVASCRIPT_MODES) {
    it(`should keep an attested tenant attested through a new attestation and its confirmed cancel (${mode})`, async () => {
      const tenant = synced.find(
        (t) => t.name === (javaScriptEnabled ? 'Humongous Insurance' : 'Graphic Design Institute'),
      );
      if (!tenant) throw new Error('The seed has no attested tenant');
      const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'ada@contoso.test' });
      const rate = async () => {
        await page.goto(`/mca?q=${encodeURIComponent(tenant.name)}`);
        return page.locator('.mca-rate-value').innerText();
      };
      const before = await rate();
      await page.goto(`/tenants/${tenant.id}/attestations/new`);
      await fillForm(page);
      await page.getByRole('button', { name: 'Generate agreement link' }).click();
      // With JavaScript the page shows the new link in place; without, it goes to the attestation's page.
      if (javaScriptEnabled) await page.getByRole('heading', { name: 'Agreement link generated' }).waitFor();
      else await page.waitForURL(`${suite.app.baseUrl}/tenants/${tenant.id}/attestation`);
      await expect(rate()).resolves.toBe(before);
      const row = page.locator('tr', { hasText: tenant.name });
      await expect(row.locator('.status').innerText()).resolves.toBe('Acceptance provided (Attested)');
      await expect(row.locator('.attestation-wait').innerText()).resolves.toBe('New attestation: Awaiting acceptance');

      await page.goto(`/tenants/${tenant.id}/attestation`);
      await page.locator('#cancel').click();
      if (javaScriptEnabled) {
        const dialog = page.locator('dialog#cancel-dialog[open]');
        await dialog.waitFor();
        await dialog.getByText('keeps its status, “Acceptance provided (Attested)”').waitFor();
        await dialog.getByRole('button', { name: 'Keep it' }).click();
        await page.locator('dialog#cancel-dialog:not([open])').waitFor({ state: 'attached' });
        await expect(page.locator('#attestation-status').innerText()).resolves.toBe('Awaiting acceptance');
        await page.locator('#cancel').click();
        await page.locator('dialog#cancel-dialog[open]').getByRole('button', { name: 'Cancel attestation' }).click();
      } else {
        await page.waitForURL(`${suite.app.baseUrl}/tenants/${tenant.id}/attestation/cancel`);
        await page.getByText('keeps its status, “Acceptance provided (Attested)”').waitFor();
        await page.getByRole('button', { name: 'Cancel attestation' }).click();
      }
      await page.locator('#attestation-status', { hasText: 'Cancelled' }).waitFor();
      await expect(rate()).resolves.toBe(before);
      await expect(row.locator('.status').innerText()).resolves.toBe('Acceptance provided (Attested)');
      await expect(row.locator('.attestation-wait').count()).resolves.toBe(0);
      expect(consoleErrors).toEqual([]);
    });
  }
});
