import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { JobRegistry } from '../../src/jobs/job-registry';
import { JAVASCRIPT_MODES, openAdminPage, startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import { FAST_JOBS_ENV, waitForJob } from '../support/jobs';
import { gate } from '../support/sandbox';
import { brokerIdOf } from '../support/tenants';

describe.each(JAVASCRIPT_MODES)('Background work page in a browser with $name', ({ javaScriptEnabled }) => {
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after, { env: { ...FAST_JOBS_ENV, SYNC_INTERVAL_MINUTES: '0' } });
    await setUpFirstAdmin(testApp);
    return testApp;
  });

  it('should show a running job until it is done, filter by state, then retry a failed one', async () => {
    const testApp = suite.app;
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    const sql = testApp.app.get(SqlService);
    const queue = testApp.app.get(JobQueue);
    const held = gate();
    let fixed = false;
    testApp.app.get(JobRegistry).register(
      { type: 'test.export' },
      {
        parse: (payload) => payload as Record<string, never>,
        handle: async (_payload, ctx) => {
          await ctx.progress(1, 4);
          await held.held;
        },
      },
    );
    testApp.app.get(JobRegistry).register(
      { type: 'test.mail', attempts: 1 },
      {
        parse: (payload) => payload as Record<string, never>,
        handle: () => (fixed ? Promise.resolve() : Promise.reject(new Error('Mail server refused: 451 try later'))),
      },
    );
    const running = (await sql.transaction((tx) => queue.enqueue(tx, 'test.export', {}, { brokerId })))!;
    const dead = (await sql.transaction((tx) => queue.enqueue(tx, 'test.mail', {}, { brokerId })))!;
    await waitForJob(testApp, dead, ['dead']);
    await waitForJob(testApp, running, ['running']);

    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'ada@contoso.test' });
    await openAdminPage(page, 'Background work');
    await page.waitForURL(`${testApp.baseUrl}/admin/jobs`);
    const state = (id: number) => page.locator(`#job-${id} td[data-label="State"] .job-state`);
    await expect(state(running).innerText()).resolves.toBe('Running');
    await expect(page.locator(`#job-${dead}`).innerText()).resolves.toContain('Mail server refused: 451 try later');
    await expect(page.locator('.jobs-live').innerText()).resolves.toContain('1 running');

    held.open();
    await waitForJob(testApp, running, ['succeeded']);
    // With JavaScript the list refreshes itself; without, the user reloads.
    if (!javaScriptEnabled) await page.getByRole('link', { name: 'Reload to see the latest state' }).click();
    await page.locator(`#job-${running} .job-state`, { hasText: 'Done' }).waitFor();
    await expect(page.locator(`#job-${running} td[data-label="Took"]`).innerText()).resolves.toMatch(/\d+ (ms|s)$/);

    // Filter by state: a GET form, swapped in by htmx when it runs.
    await page.getByLabel('State').selectOption('failed');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForURL(/\/admin\/jobs\?state=failed/);
    await page.locator(`#job-${running}`).waitFor({ state: 'detached' });
    await expect(page.locator('.jobs-table tbody tr .job-state').allInnerTexts()).resolves.toEqual(['Failed']);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(width);
      await page.screenshot({
        path: `/tmp/wt-admin-jobs-${width}-${javaScriptEnabled ? 'js' : 'nojs'}.png`,
        fullPage: true,
      });
    }

    fixed = true;
    await page.getByRole('button', { name: `Retry job ${dead}` }).click();
    await page.waitForURL(`${testApp.baseUrl}/admin/jobs`);
    await expect(page.getByRole('status').first().innerText()).resolves.toContain(
      `Job ${dead} (Test mail) will run again.`,
    );
    await waitForJob(testApp, dead, ['succeeded']);
    expect(consoleErrors).toEqual([]);
  });
});
