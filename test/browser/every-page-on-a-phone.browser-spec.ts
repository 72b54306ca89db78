import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import type TestAgent from 'supertest/lib/agent';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { attestationRows, createAttestation, sandboxOf, syncTenants } from '../support/attestations';
import { JAVASCRIPT_MODES, launchBrowser, openSession, signInWithBrowser } from '../support/browser';
import { DEFAULT_PASSWORD, postForm, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { fillPath, routesOf } from '../support/routes';
import { createTestApp, type TestApp } from '../support/test-app';

const PHONE = { width: 390, height: 844 };
// Routes that answer with a file, JSON or a probe, not a page a person reads.
const NOT_PAGES = new Set(['/healthz', '/reports/:id/download', '/tenants/:tenantId/attestation/record.json']);

interface Overflow {
  path: string;
  scrollWidth: number;
  widest: string[];
}

// The page's width, and the elements that reach past the screen's right edge (the deepest ones name the cause).
async function overflowOf(page: Page, path: string): Promise<Overflow | undefined> {
  const found = (await page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const widest = [...document.body.querySelectorAll('*')]
      .filter((element) => element.getBoundingClientRect().right > width + 0.5)
      .filter((element) => ![...element.children].some((child) => child.getBoundingClientRect().right > width + 0.5))
      .slice(0, 5)
      .map((element) => element.tagName.toLowerCase() + (element.className ? '.' + String(element.className).trim().replace(/\\s+/g, '.') : '') + ' ' + Math.round(element.getBoundingClientRect().right) + 'px');
    return { scrollWidth: document.documentElement.scrollWidth, widest };
  })()`)) as Omit<Overflow, 'path'>;
  return found.scrollWidth > PHONE.width ? { path, ...found } : undefined;
}

// Every page of the app, found in its route table, opened on a 390 px phone: none scrolls sideways.
describe.each(JAVASCRIPT_MODES)('Every page on a phone, with $name', ({ javaScriptEnabled }) => {
  let browser: Browser;
  let testApp: TestApp;
  let admin: TestAgent;
  const values: Record<string, Record<string, string | number>> = {};

  const attestationOf = async (tenant: Tenant) =>
    (await attestationRows(testApp)).find((row: { tenant_id: number }) => row.tenant_id === tenant.id);

  // Opening the attestation's page asks Partner Center at once, so the acceptance is learned without waiting.
  const waitForStatus = (tenant: Tenant, status: string) =>
    eventually(
      async () => ((await admin.get(`/tenants/${tenant.id}/attestation`)).text.includes(status) ? true : undefined),
      100,
    );

  beforeAll(async () => {
    browser = await launchBrowser();
    testApp = await createTestApp({ listen: true, env: FAST_JOBS_ENV });
    admin = (await setUpFirstAdmin(testApp)).agent;
    const withoutAcceptance = (await syncTenants(testApp, admin)).filter((t) => t.status === 'none');
    const [fresh, pending, ready, attested] = withoutAcceptance;

    await createAttestation(admin, pending.id, { autoFinalize: 'no' });
    await createAttestation(admin, ready.id, { autoFinalize: 'no' });
    await createAttestation(admin, attested.id, { autoFinalize: 'yes' });
    sandboxOf(testApp).acceptAttestation((await attestationOf(ready)).pc_attestation_id);
    sandboxOf(testApp).acceptAttestation((await attestationOf(attested)).pc_attestation_id);
    await waitForStatus(ready, 'Ready to finalize');
    await waitForStatus(attested, 'Finalized');

    const pendingPage = await admin.get(`/tenants/${pending.id}/attestation`);
    const agreementId = /\/agreement\/([^"'<\s]+)/.exec(pendingPage.text)?.[1];
    if (!agreementId) throw new Error('No agreement link on the attestation page');
    await postForm(admin, '/reports', '/reports', { email: 'ada@contoso.test', format: 'csv', scope: 'all' });
    await postForm(admin, '/reports/schedules/new', '/reports/schedules', {
      name: 'Weekly to sales',
      frequency: 'weekly',
      weekday: '1',
      dayOfMonth: '1',
      time: '07:00',
      timeZone: 'Europe/Stockholm',
      recipients: 'ada@contoso.test',
      format: 'csv',
      status: 'none',
    });
    const [schedule] = await testApp.app.get(DataSource).query('SELECT id FROM report_schedules');

    values['/tenants/:tenantId/attestations/new'] = { tenantId: fresh.id };
    values['/tenants/:tenantId/attestation/finalize'] = { tenantId: ready.id };
    values['/tenants/:tenantId/attestation/record'] = { tenantId: attested.id };
    values['/tenants/:id/acceptance'] = { id: attested.id };
    values['/reports/schedules/:id/edit'] = { id: schedule.id };
    values['/agreement/:id'] = { id: agreementId };
    values['/sandbox/accept/:id'] = { id: (await attestationOf(pending)).pc_attestation_id };
    values['/password/reset/:token'] = { token: 'no-such-reset-token' };
    values.default = { tenantId: pending.id };
  });
  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  const pagePaths = () =>
    routesOf(testApp)
      .filter((route) => route.method === 'GET' && !NOT_PAGES.has(route.path))
      .map((route) => fillPath(route.path, values[route.path] ?? values.default));

  it.each([
    ['signed in as an admin', true],
    ['signed out', false],
  ])('should fit every page %s into 390 px without sideways scrolling', async (_, signedIn) => {
    const { page, context, consoleErrors } = await openSession(browser, testApp.baseUrl, {
      javaScriptEnabled,
      viewport: PHONE,
    });
    if (signedIn) await signInWithBrowser(page, testApp.baseUrl, 'ada@contoso.test', DEFAULT_PASSWORD);
    const paths = pagePaths();
    expect(paths.length).toBeGreaterThan(30);
    const overflows: Overflow[] = [];
    // The pages' own status (a 404 or 410 page is a page) is Chromium's console error too; a style sheet, script or
    // image that fails is a defect.
    const failedResources: string[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'document' && response.status() >= 400)
        failedResources.push(`${response.status()} ${response.url()}`);
    });
    for (const path of paths) {
      const response = await page.goto(path);
      expect([path, (response?.status() ?? 0) < 500]).toEqual([path, true]);
      const overflow = await overflowOf(page, path);
      if (overflow) overflows.push(overflow);
    }
    expect(overflows).toEqual([]);
    expect(failedResources).toEqual([]);
    expect(consoleErrors.filter((message) => !message.startsWith('Failed to load resource'))).toEqual([]);
    await context.close();
  });
});
