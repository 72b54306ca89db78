import { SqlService } from '../../src/database/sql.service';
import type { JobContext } from '../../src/jobs/job-handler';
import { ReportGenerateHandler } from '../../src/reports/report-generate.handler';
import { JAVASCRIPT_MODES, startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import { eventually } from '../support/jobs';
import { brokerIdOf, seedTenants } from '../support/tenants';

// The report job is run here by its handler with a context whose first progress report waits for the test: the
// page is seen with the report running part-way, then done. (The worker is off, so nothing else runs it.)
function heldContext(): { ctx: JobContext; reached: Promise<void>; release(): void } {
  let release!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const arrival = new Promise<void>((resolve) => (reached = resolve));
  let first = true;
  const ctx: JobContext = {
    jobId: 0,
    attempt: 1,
    maxAttempts: 3,
    brokerId: null,
    signal: new AbortController().signal,
    progress: async () => {
      if (!first) return;
      first = false;
      reached();
      await gate;
    },
  };
  return { ctx, reached: arrival, release };
}

describe.each(JAVASCRIPT_MODES)('MCA reports in a browser with $name', ({ javaScriptEnabled }) => {
  let brokerId: number;
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after, { env: { JOB_WORKER: 'off' } });
    await setUpFirstAdmin(testApp);
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    await seedTenants(
      testApp,
      brokerId,
      Array.from({ length: 40 }, (_, i) => ({ name: `Customer ${i + 1}`, status: i % 2 ? 'none' : 'direct' }) as const),
    );
    return testApp;
  });

  it('should open the menu by keyboard, request the report and show its progress until it is sent', async () => {
    const testApp = suite.app;
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'ada@contoso.test' });
    await page.goto('/mca?status=none');

    // Keyboard only: focus the menu button, open it, pick "Generate MCA report".
    const button = page.locator('summary', { hasText: 'Reports menu' });
    await button.focus();
    await page.keyboard.press('Enter');
    const item = page.locator('a[data-report-dialog]');
    if (javaScriptEnabled) {
      // The menu's state is its <details>' own (aria-expanded is not allowed on <summary>).
      await expect(page.locator('details', { has: button }).getAttribute('open')).resolves.toBe('');
      await expect(button.getAttribute('aria-expanded')).resolves.toBeNull();
      await expect(item.getAttribute('role')).resolves.toBe('menuitem');
      await page.locator('a[role="menuitem"]:focus', { hasText: 'Generate MCA report' }).waitFor();
      await page.evaluate('window.stillTheSamePage = true');
    } else {
      await item.waitFor({ state: 'visible' });
      await page.keyboard.press('Tab');
      await page.locator('a:focus', { hasText: 'Generate MCA report' }).waitFor();
    }
    await page.keyboard.press('Enter');

    // With JavaScript the form opens in a dialog over the list; without, on a page of its own.
    if (javaScriptEnabled) await page.locator('dialog#report-dialog[open] #report-email').waitFor();
    else await page.waitForURL(`${testApp.baseUrl}/reports?status=none`);
    const email = page.getByLabel('Email address');
    await expect(email.inputValue()).resolves.toBe('ada@contoso.test');
    await page.getByLabel('XLSX (Excel workbook)').check();
    await expect(page.getByLabel(/Only the current filter: Status “No acceptance provided”/).isChecked()).resolves.toBe(
      true,
    );
    await page.getByRole('button', { name: 'Email me the report when ready' }).click();
    await page.getByText('We will email the report to ada@contoso.test when it is ready.').waitFor();
    const row = page.locator('#recent-reports tbody tr').first();
    await expect(row.getAttribute('data-state')).resolves.toBe('queued');

    const sql = testApp.app.get(SqlService);
    const [request] = await sql.run<{ id: number }>('SELECT id FROM report_requests ORDER BY id DESC LIMIT 1', []);
    const held = heldContext();
    const handled = testApp.app
      .get(ReportGenerateHandler)
      .handle({ requestId: Number(request.id) }, { ...held.ctx, brokerId });
    await held.reached;

    if (!javaScriptEnabled) await page.getByRole('link', { name: 'Reload' }).click();
    const bar = page.locator('#recent-reports progress');
    await bar.waitFor();
    await expect(bar.getAttribute('max')).resolves.toBe('20');
    await page.getByText('0 of 20 tenants').first().waitFor();

    held.release();
    await handled;
    await eventually(async () => {
      const [state] = await sql.run<{ state: string }>(
        `SELECT state FROM report_requests WHERE id = ${Number(request.id)}`,
        [],
      );
      return state.state === 'sent' ? true : undefined;
    });
    if (!javaScriptEnabled) await page.getByRole('link', { name: 'Reload' }).click();
    await page.locator('#recent-reports tr[data-state="sent"]').waitFor();
    await page
      .getByRole('link', { name: /^Download/ })
      .first()
      .waitFor();
    await expect(page.getByText('20 tenants').first().isVisible()).resolves.toBe(true);
    if (javaScriptEnabled) await expect(page.evaluate('window.stillTheSamePage')).resolves.toBe(true);
    expect(consoleErrors).toEqual([]);
  });
});
