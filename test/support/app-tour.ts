import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { attestationRows, createAttestation, sandboxOf, syncTenants } from './attestations';
import { createApiToken } from './api';
import { draftBatch, postButton, rowFor } from './batches';
import { postForm, setUpFirstAdmin } from './http';
import { eventually, FAST_JOBS_ENV } from './jobs';
import { createTestApp, type TestApp } from './test-app';

// An app with something on every page: the sandbox's tenants, attestations waiting, ready and finalized, a report,
// a schedule and an API token; and, for each route of the app, the values of its path's parameters that reach
// those things.
export interface AppTour {
  testApp: TestApp;
  admin: TestAgent;
  // A write token of the admin's broker, for the API's routes.
  apiToken: string;
  pathValues(path: string): Record<string, string | number>;
}

export async function tourApp(): Promise<AppTour> {
  const testApp = await createTestApp({
    listen: true,
    env: { ...FAST_JOBS_ENV, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  const admin = (await setUpFirstAdmin(testApp)).agent;
  const [fresh, pending, ready, attested, batched] = (await syncTenants(testApp, admin)).filter(
    (t) => t.status === 'none',
  );
  const attestationOf = async (tenant: Tenant) =>
    (await attestationRows(testApp)).find((row: { tenant_id: number }) => row.tenant_id === tenant.id);
  // Opening the attestation's page asks Partner Center at once, so the acceptance is learned without waiting.
  const waitForStatus = (tenant: Tenant, status: string) =>
    eventually(
      async () => ((await admin.get(`/tenants/${tenant.id}/attestation`)).text.includes(status) ? true : undefined),
      100,
    );

  await createAttestation(admin, pending.id, { autoFinalize: 'no' });
  await createAttestation(admin, ready.id, { autoFinalize: 'no' });
  await createAttestation(admin, attested.id, { autoFinalize: 'yes' });
  sandboxOf(testApp).acceptAttestation((await attestationOf(ready)).pc_attestation_id);
  sandboxOf(testApp).acceptAttestation((await attestationOf(attested)).pc_attestation_id);
  await waitForStatus(ready, 'Ready to finalize');
  await waitForStatus(attested, 'Finalized');

  const agreementId = /\/agreement\/([^"'<\s]+)/.exec(
    (await admin.get(`/tenants/${pending.id}/attestation`)).text,
  )?.[1];
  if (!agreementId) throw new Error('No agreement link on the attestation page');
  await postForm(admin, '/reports', '/reports', { email: 'ada@contoso.test', format: 'csv', scope: 'all' });
  await postForm(admin, '/reports/schedules/new', '/reports/schedules', {
    name: 'Weekly to Ada',
    frequency: 'weekly',
    weekday: '1',
    dayOfMonth: '1',
    time: '07:00',
    timeZone: 'Europe/Stockholm',
    recipients: 'ada@contoso.test',
    format: 'csv',
    status: 'none',
  });
  await postForm(admin, '/api-access', '/api-access', { name: 'Billing', scope: 'read', expiry: 'never' });
  // A draft bulk attestation for the fresh tenant (its preview page).
  await postForm(admin, '/mca', '/attestation-batches/selection/draft', {
    tenant: String(fresh.id),
    signatoryFirstName: 'Grace',
    signatoryLastName: 'Hopper',
    signatoryEmail: 'grace@customer.test',
    country: 'US',
    language: 'en-US',
    autoFinalize: 'no',
  });
  const batch = await draftBatch(testApp, 'ada@contoso.test', [rowFor(batched, 2)]);
  await postButton(admin, `/attestation-batches/${batch.id}/confirm`);
  const dataSource = testApp.app.get(DataSource);
  await eventually(async () => {
    const [row] = await dataSource.query(`SELECT status FROM attestation_batches WHERE id = ${batch.id}`);
    return row.status === 'finished' ? true : undefined;
  }, 50);
  // A webhook endpoint where nothing listens, and a test event to it: its log has a failed attempt.
  await postForm(admin, '/webhooks', '/webhooks', {
    url: 'http://127.0.0.1:9/tour',
    description: 'Tour',
    events: 'sync.finished',
    enabled: 'on',
  });
  const [endpoint] = await dataSource.query('SELECT id FROM webhook_endpoints');
  await postForm(admin, `/webhooks/${endpoint.id}`, `/webhooks/${endpoint.id}/test`, {});
  const [message] = await eventually(async () => {
    const rows = await dataSource.query('SELECT message_row_id AS id FROM webhook_attempts');
    return rows.length > 0 ? rows : undefined;
  });
  const [schedule] = await dataSource.query('SELECT id FROM report_schedules');
  const [report] = await dataSource.query('SELECT id FROM report_requests');
  const [user] = await dataSource.query('SELECT id FROM users');
  const [job] = await dataSource.query('SELECT id FROM jobs');
  const [apiToken] = await dataSource.query('SELECT id FROM api_tokens');
  const [draft] = await dataSource.query("SELECT id FROM attestation_batches WHERE status = 'draft'");

  const values: Record<string, Record<string, string | number>> = {
    '/tenants/:tenantId/attestations/new': { tenantId: fresh.id },
    '/tenants/:tenantId/attestation/finalize': { tenantId: ready.id },
    '/tenants/:tenantId/attestation/record': { tenantId: attested.id },
    '/tenants/:id/acceptance': { id: attested.id },
    '/agreement/:id': { id: agreementId },
    '/sandbox/accept/:id': { id: (await attestationOf(pending)).pc_attestation_id },
    '/password/reset/:token': { token: 'no-such-reset-token' },
  };
  const byPrefix: [string, Record<string, string | number>][] = [
    // The JSON API's routes (a request without a token is refused before any id is read).
    ['/api/v1/', { id: attested.id, type: 'not-found' }],
    ['/tenants/:id/', { id: attested.id }],
    ['/tenants/:tenantId/', { tenantId: pending.id }],
    ['/reports/schedules/:id', { id: schedule.id }],
    ['/reports/:id', { id: report.id }],
    ['/users/:id', { id: user.id }],
    ['/admin/jobs/:id', { id: job.id }],
    ['/api-access/:id', { id: apiToken.id }],
    // Text, not a number: the tour has no API token, and the API answers 401 before it reads an id (the API's own
    // specs check its 404s with a token).
    ['/api/v1/attestations/:id', { id: String((await attestationOf(pending)).id) }],
    ['/attestation-batches/:id/preview', { id: draft.id }],
    ['/attestation-batches/:id', { id: batch.id }],
    ['/api/v1/attestation-batches/:id', { id: batch.id }],
    ['/webhooks/:id', { id: endpoint.id, message: message.id }],
  ];
  const [{ broker_id: brokerId }] = await dataSource.query('SELECT broker_id FROM users');
  return {
    testApp,
    admin,
    apiToken: await createApiToken(testApp, Number(brokerId)),
    pathValues: (path) => values[path] ?? byPrefix.find(([prefix]) => path.startsWith(prefix))?.[1] ?? {},
  };
}
