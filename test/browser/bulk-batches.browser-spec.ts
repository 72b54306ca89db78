import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { sandboxOf } from '../support/attestations';
import { draftBatch, postButton, rowFor } from '../support/batches';
import { startTestApp, useBrowserSuite } from '../support/browser';
import { setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { gate } from '../support/sandbox';
import { brokerIdOf, seedTenants } from '../support/tenants';
import type { Tenant } from '../../src/tenants/tenant.entity';

// The batch page while its rows are sent: with JavaScript it refreshes itself until the batch is done; without, its
// Reload link shows the progress, and Pause and Resume are plain forms.
describe('An attestation batch page', () => {
  let admin: TestAgent;
  let tenants: Tenant[];
  let next = 0;
  const suite = useBrowserSuite(async (after) => {
    const testApp = await startTestApp(after, { env: FAST_JOBS_ENV });
    admin = (await setUpFirstAdmin(testApp)).agent;
    tenants = await seedTenants(
      testApp,
      await brokerIdOf(testApp, 'ada@contoso.test'),
      Array.from({ length: 12 }, (_, i) => ({ name: `Browser Customer ${i}` })),
    );
    return testApp;
  });

  // A confirmed batch of six rows whose creates Partner Center holds until `release`.
  const heldBatch = async () => {
    const rows = tenants.slice(next, (next += 6)).map((tenant, i) => rowFor(tenant, i + 2));
    const batch = await draftBatch(suite.app, 'ada@contoso.test', rows, { fileName: 'customers.xlsx' });
    const held = gate();
    sandboxOf(suite.app).faults.add({
      method: 'POST',
      path: '/v1/attestations/enhanced',
      holdUntil: held.held,
      times: Infinity,
    });
    expect((await postButton(admin, `/attestation-batches/${batch.id}/confirm`)).status).toBe(303);
    const release = () => {
      sandboxOf(suite.app).faults.clear();
      held.open();
    };
    return { batch, release };
  };
  const statusOf = async (batchId: number) =>
    (await suite.app.app.get(DataSource).query(`SELECT status FROM attestation_batches WHERE id = ${batchId}`))[0]
      .status as string;

  it('should refresh its progress by itself with JavaScript, and stop once the batch is sent', async () => {
    const { page, consoleErrors } = await suite.open({ javaScriptEnabled: true, signInAs: 'ada@contoso.test' });
    const { batch, release } = await heldBatch();
    await page.goto(`/attestation-batches/${batch.id}`);
    await expect(page.locator('[data-count="created"]').innerText()).resolves.toBe('0');
    await expect(page.locator('#batch-progress').getAttribute('hx-trigger')).resolves.toBe('every 2s');
    await page.screenshot({ path: '/tmp/bulk-batch-running.png', fullPage: true });
    await page.evaluate('window.stillTheSamePage = true');

    release();
    await page.locator('[data-count="created"]', { hasText: '6' }).waitFor({ timeout: 15_000 });
    await page.locator('#batch-progress[data-status="finished"]').waitFor();
    await expect(page.locator('[data-count="emailed"]').innerText()).resolves.toBe('6');
    await expect(page.locator('#batch-progress').getAttribute('hx-trigger')).resolves.toBeNull();
    await expect(page.evaluate('window.stillTheSamePage')).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Pause' }).count()).resolves.toBe(0);
    await page.reload();
    await page.screenshot({ path: '/tmp/bulk-batch-finished.png', fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('should show the progress through its Reload link, and pause and resume by plain forms, without JavaScript', async () => {
    const { page } = await suite.open({ javaScriptEnabled: false, signInAs: 'ada@contoso.test' });
    const { batch, release } = await heldBatch();
    await page.goto(`/attestation-batches/${batch.id}`);
    await expect(page.locator('[data-count="created"]').innerText()).resolves.toBe('0');

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(`${suite.app.baseUrl}/attestation-batches/${batch.id}`);
    await expect(page.locator('.flash-success').innerText()).resolves.toContain('Batch paused');
    await expect(page.locator('#batch-progress strong').innerText()).resolves.toBe('Paused');
    release();
    // The rows in flight finish; the rest wait for Resume.
    await eventually(async () => {
      await page.getByRole('link', { name: 'Reload' }).click();
      return (await page.locator('[data-count="created"]').innerText()) === '4' ? true : undefined;
    }, 200);
    await expect(page.locator('[data-count="queued"]').innerText()).resolves.toBe('2');

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(page.locator('.flash-success').innerText()).resolves.toContain('Batch resumed');
    await eventually(async () => ((await statusOf(batch.id)) === 'finished' ? true : undefined), 50);
    await page.getByRole('link', { name: 'Reload' }).click();
    await expect(page.locator('[data-count="created"]').innerText()).resolves.toBe('6');
    await expect(page.locator('#batch-progress strong').innerText()).resolves.toBe('Sent');

    await page.goto('/attestation-batches');
    await page.screenshot({ path: '/tmp/bulk-batch-list.png', fullPage: true });
    await page.getByRole('link', { name: `Batch ${batch.id}`, exact: true }).click();
    await page.waitForURL(`${suite.app.baseUrl}/attestation-batches/${batch.id}`);
  });
});
