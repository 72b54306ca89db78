import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { acceptAsCustomer, sandboxOf, syncTenants } from '../support/attestations';
import { JAVASCRIPT_MODES, startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';

const shot = (page: Page, what: string, mode: string, fullPage = true) =>
  page.screenshot({ path: `/tmp/wt-bulk-upload-${what}-${mode}.png`, fullPage });

// A new partner's bulk attestation from start to end: tenants chosen on the list (page by page, or all matching),
// the template downloaded and filled by a script with two deliberate mistakes, uploaded, its preview read, the batch
// confirmed and followed to the end, a few customers accepting, and the result file showing them.
describe.each(JAVASCRIPT_MODES)('Bulk attestation in a browser with $name', ({ javaScriptEnabled }) => {
  const mode = javaScriptEnabled ? 'js' : 'nojs';
  let withoutAcceptance = 0;
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after, { env: FAST_JOBS_ENV });
    const { agent } = await setUpFirstAdmin(testApp);
    // The sandbox's customers plus enough more for 40 or so, read by a real sync.
    const sandbox = sandboxOf(testApp);
    for (let i = 1; i <= 12; i++)
      sandbox.addCustomer({ companyName: `Northwind Branch ${String(i).padStart(2, '0')}` });
    withoutAcceptance = (await syncTenants(testApp, agent)).filter((t) => t.status === 'none').length;
    return testApp;
  });

  it('should choose tenants, fill the template, preview it, run the batch and show acceptances in the result file', async () => {
    expect(withoutAcceptance).toBeGreaterThanOrEqual(40);
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled, signInAs: 'ada@contoso.test' });

    // Tick a tenant on the first page and one on the second.
    await page.goto('/mca?status=none');
    const boxes = page.locator('input[type="checkbox"][name="tenant"]');
    await boxes.nth(0).check();
    if (javaScriptEnabled) {
      await page.locator('#selection-count', { hasText: '1 tenant selected' }).waitFor();
      await page.locator('#page-next').click();
      await page.waitForURL(/page=2/);
      await page.locator('#page-current', { hasText: '2' }).waitFor();
      await boxes.nth(0).check();
      await page.locator('#selection-count', { hasText: '2 tenants selected' }).waitFor();
      await shot(page, 'list-selection', mode);
    } else {
      // Without JavaScript a selection is one page's ticks.
      await boxes.nth(1).check();
      await shot(page, 'list-selection', mode);
    }
    await page.getByRole('button', { name: 'Create attestations…' }).click();
    await page.locator('#selection-text', { hasText: 'For 2 selected tenants.' }).waitFor();

    // "Select all N matching": the filter, whatever page is shown.
    await page.goto('/mca?status=none');
    await page.getByRole('button', { name: `Select all ${withoutAcceptance} matching` }).click();
    await page
      .locator('#selection-status', { hasText: `All ${withoutAcceptance} matching tenants are selected.` })
      .waitFor();
    await page.getByRole('button', { name: 'Create attestations…' }).click();
    await page
      .locator('#selection-text', {
        hasText: `For all ${withoutAcceptance} tenants with status “No acceptance provided”.`,
      })
      .waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#template-csv').click()]);
    const file = join(tmpdir(), `bulk-template-${mode}-${Date.now()}.csv`);
    await download.saveAs(file);
    const [header, ...rows] = parse(readFileSync(file), { bom: true }) as string[][];
    expect(header).toEqual([
      'Microsoft tenant ID',
      'Company name',
      'Signatory first name',
      'Signatory last name',
      'Signatory email',
      'Signatory phone (optional)',
      'Country (e.g. US or United States)',
      'Language (e.g. en-US)',
      'Auto-finalize (Yes or No)',
    ]);
    expect(rows).toHaveLength(withoutAcceptance);

    // Filled by a script, as a partner might: one signatory per tenant, a bad email on row 3 and a country that is
    // not one on row 5.
    const filled = rows.map((row, i) => [
      row[0],
      row[1],
      'Signatory',
      `Number ${i + 1}`,
      i === 1 ? 'not-an-email' : `signatory${i + 1}@customer.test`,
      '',
      i === 3 ? 'Narnia' : 'United Kingdom',
      'en-GB',
      i % 2 === 0 ? 'Yes' : 'No',
    ]);
    writeFileSync(file, stringify([header, ...filled], { delimiter: ';' }));

    await page.goto('/attestation-batches/new');
    await shot(page, 'upload-page', mode);
    await page.getByLabel('CSV or Excel file (.csv, .xlsx)').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.waitForURL(/\/attestation-batches\/\d+\/preview$/);
    await expect(page.locator('#count-create').innerText()).resolves.toBe(String(withoutAcceptance - 2));
    await expect(page.locator('#count-skip').innerText()).resolves.toBe('0');
    await expect(page.locator('#count-errors').innerText()).resolves.toBe('2');
    await expect(page.locator('#row-3 [data-label="Result"]').innerText()).resolves.toContain(
      'Signatory email: Enter a valid email address, like name@example.com',
    );
    await expect(page.locator('#row-5 [data-label="Result"]').innerText()).resolves.toContain(
      'Country (e.g. US or United States): Choose a country from the list',
    );
    await expect(
      page.getByRole('button', { name: `Create ${withoutAcceptance - 2} attestations` }).isVisible(),
    ).resolves.toBe(true);
    await shot(page, 'preview', mode, false);
    await page.getByRole('link', { name: 'Errors' }).click();
    await page.waitForURL(/show=errors/);
    await expect(page.locator('#batch-rows tbody tr').count()).resolves.toBe(2);

    // Go on with the valid rows, and follow the batch to its end: by itself with JavaScript, by Reload without.
    const toCreate = withoutAcceptance - 2;
    await page.getByRole('link', { name: 'All' }).click();
    await page.getByRole('button', { name: `Create ${toCreate} attestations` }).click();
    await page.waitForURL(/\/attestation-batches\/\d+$/);
    const batchId = Number(/(\d+)$/.exec(page.url())?.[1]);
    if (javaScriptEnabled) await page.locator('#batch-progress[data-status="finished"]').waitFor({ timeout: 60_000 });
    else
      await eventually(async () => {
        await page.getByRole('link', { name: 'Reload' }).click();
        return (await page.locator('#batch-progress[data-status="finished"]').count()) > 0 ? true : undefined;
      }, 500);
    await expect(page.locator('[data-count="created"]').innerText()).resolves.toBe(String(toCreate));
    await expect(page.locator('[data-count="emailed"]').innerText()).resolves.toBe(String(toCreate));
    await shot(page, 'batch-finished', mode);

    // Three customers accept on their links; the partner looks at one of them (which asks Partner Center), and the
    // app's own polling finds the others.
    const made: { tenant_id: number; link: string }[] = await suite.app.app.get(DataSource).query(
      `SELECT a.tenant_id, a.link FROM attestation_batch_rows r JOIN attestations a ON a.id = r.attestation_id
        WHERE r.batch_id = ${batchId} ORDER BY r.row_number LIMIT 3`,
    );
    for (const { link } of made) await acceptAsCustomer(suite.app, link);
    for (const { tenant_id } of made) await page.goto(`/tenants/${tenant_id}/attestation`);
    await page.goto(`/attestation-batches/${batchId}`);
    await expect(page.locator('[data-count="accepted"]').innerText()).resolves.toBe('3');

    const [result] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    const resultFile = join(tmpdir(), `bulk-result-${mode}-${Date.now()}.csv`);
    await result.saveAs(resultFile);
    const [resultHeader, ...resultRows] = parse(readFileSync(resultFile), { bom: true }) as string[][];
    const status = resultHeader.indexOf('Status');
    // Auto-finalize was Yes on every other row: an accepted one may be finalized already.
    const acceptedRows = resultRows.filter((row) => ['Ready to finalize', 'Finalized'].includes(row[status]));
    expect(acceptedRows).toHaveLength(3);
    expect(resultRows.filter((row) => row[status] === 'Awaiting acceptance')).toHaveLength(toCreate - 3);
    expect(consoleErrors).toEqual([]);
  });
});
