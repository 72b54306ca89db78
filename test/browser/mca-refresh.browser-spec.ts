import type { Page } from 'playwright-core';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { Tenant } from '../../src/tenants/tenant.entity';
import { act, attestationRows, createAttestation, sandboxOf, syncTenants } from '../support/attestations';
import { startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import type { TestApp } from '../support/test-app';

// The longest wait between two reads of the rows that wait (MAX_MS in public/js/app.js), and what a request and a
// swap may add to it on a busy machine.
const LONGEST_WAIT_MS = 8000;
const SLACK_MS = 2000;

// The page's own requests for the rows that wait, counted as the browser sends them.
function countRowRequests(page: Page): { count: () => number } {
  let count = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/mca/rows') count += 1;
  });
  return { count: () => count };
}

// A tab put in the background, and back: what the browser reports then, and the event it fires.
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(`(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${hidden ? 'hidden' : 'visible'}' });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);
}

describe('The MCA list keeps its waiting rows up to date, with JavaScript on', () => {
  let testApp: TestApp;
  let agent: TestAgent;
  let auto: Tenant; // its attestation finalizes itself once accepted
  let byHand: Tenant; // its attestation waits for a partner's finalize

  // The customer accepts in Partner Center (the sandbox); the app learns it when the partner opens the attestation.
  async function customerAccepts(tenant: Tenant): Promise<void> {
    const rows = (await attestationRows(testApp)) as { tenant_id: number; pc_attestation_id: string }[];
    sandboxOf(testApp).acceptAttestation(rows.find((row) => row.tenant_id === tenant.id)!.pc_attestation_id);
    await agent.get(`/tenants/${tenant.id}/attestation`);
  }

  // When the database first shows the tenant in this state (the app has learnt it).
  async function learnt(tenant: Tenant, state: { status: string; attestationState: string }): Promise<number> {
    const repo = testApp.app.get(DataSource).getRepository(Tenant);
    for (;;) {
      const now = await repo.findOneByOrFail({ id: tenant.id });
      if (now.status === state.status && now.attestationState === state.attestationState) return Date.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const suite = useBrowserSuite(async (after) => {
    testApp = await startTestApp(after);
    agent = (await setUpFirstAdmin(testApp)).agent;
    const none = (await syncTenants(testApp, agent)).filter((t) => t.status === 'none');
    [auto, byHand] = none;
    expect((await createAttestation(agent, auto.id, { autoFinalize: 'yes' })).status).toBe(303);
    expect((await createAttestation(agent, byHand.id, { autoFinalize: 'no' })).status).toBe(303);
    return testApp;
  });

  it('should show acceptance and finalize within seconds of the app learning them, pause in a hidden tab and stop once no row waits', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled: true, signInAs: 'ada@contoso.test' });
    const requests = countRowRequests(page);
    await page.goto('/mca');
    await page.evaluate('window.stillTheSamePage = true');
    const autoRow = page.locator(`#tenant-${auto.id}`);
    const handRow = page.locator(`#tenant-${byHand.id}`);
    await expect(autoRow.locator('.attestation-wait').innerText()).resolves.toBe('Awaiting acceptance');
    await expect(handRow.locator('.attestation-wait').innerText()).resolves.toBe('Awaiting acceptance');
    await expect(page.locator('#mca-loaded').isVisible()).resolves.toBe(false);
    const rateBefore = await page.locator('.mca-rate-value').innerText();

    // The rows are read again on their own, soon after the page is shown.
    await page.waitForRequest((request) => request.url().includes('/mca/rows?'), { timeout: 4000 });

    // In a hidden tab nothing is asked, whatever happens meanwhile; back in view, the rows are read at once.
    await setHidden(page, true);
    await page.waitForTimeout(300); // a request already on its way may still end
    const whileHidden = requests.count();
    await customerAccepts(byHand);
    await learnt(byHand, { status: 'pending', attestationState: 'accepted' });
    await page.waitForTimeout(LONGEST_WAIT_MS + 1000);
    expect(requests.count()).toBe(whileHidden);
    await expect(handRow.locator('.attestation-wait').innerText()).resolves.toBe('Awaiting acceptance');
    const shownAgain = Date.now();
    await setHidden(page, false);
    await handRow.locator('.attestation-wait', { hasText: 'Ready to finalize' }).waitFor({ timeout: SLACK_MS });
    expect(Date.now() - shownAgain).toBeLessThan(SLACK_MS);

    // Accepted, then finalized by itself: Attested shows within seconds of the app learning it, the compliance rate
    // with it, and a screen reader hears it.
    await customerAccepts(auto);
    const attestedAt = await learnt(auto, { status: 'attested', attestationState: 'finalized' });
    await autoRow.locator('.status-attested').waitFor({ timeout: LONGEST_WAIT_MS + SLACK_MS });
    expect(Date.now() - attestedAt).toBeLessThanOrEqual(LONGEST_WAIT_MS + SLACK_MS);
    await expect(page.locator('.mca-rate-value').innerText()).resolves.not.toBe(rateBefore);
    await expect(page.locator('#mca-announce').innerText()).resolves.toContain(
      `${auto.name}: Acceptance provided (Attested)`,
    );
    expect(await autoRow.getAttribute('data-refresh')).toBeNull();

    // The last row that waits is finalized by a partner: once it shows, nothing more is asked.
    await act(agent, byHand.id, 'finalize');
    await learnt(byHand, { status: 'attested', attestationState: 'finalized' });
    await handRow.locator('.status-attested').waitFor({ timeout: LONGEST_WAIT_MS + SLACK_MS });
    const settled = requests.count();
    await page.waitForTimeout(LONGEST_WAIT_MS + 1000);
    expect(requests.count()).toBe(settled);
    await expect(page.locator('tr[data-refresh]').count()).resolves.toBe(0);

    await expect(page.evaluate('window.stillTheSamePage')).resolves.toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('should give the row menus no aria-expanded (not allowed on <summary>), with the create dialog open too', async () => {
    const { page } = await suite.open({ javaScriptEnabled: true, signInAs: 'ada@contoso.test' });
    await page.goto('/mca');
    const summary = page.locator('tr', { hasText: auto.name }).locator('summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('tr', { hasText: auto.name }).locator('details[open]').count()).resolves.toBe(1);
    await page.keyboard.press('Escape');
    await page.locator('tr[id]').first().locator('summary').click();
    await page.getByRole('menuitem', { name: 'Create attestation' }).click();
    await page.locator('dialog#attestation-dialog[open]').waitFor();
    await expect(page.locator('[aria-expanded]').count()).resolves.toBe(0);
    await expect(page.locator('summary[aria-haspopup="menu"]').count()).resolves.toBeGreaterThan(0);
  });
});
