import { parse } from 'csv-parse/sync';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createAttestation, syncTenants } from '../support/attestations';
import { createUser, csrfTokenFrom, setUpFirstAdmin, signIn } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf } from '../support/tenants';
import type { Tenant } from '../../src/tenants/tenant.entity';

const decode = (html: string): string => html.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');

// The MCA list's selection: a checkbox per row, "select all N matching" as the filter, and the actions on it.
describe('Bulk attestation: choosing tenants on the MCA list', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let tenants: Tenant[];
  let reminded: Tenant[];

  const post = async (action: string, body: string) => {
    const token = csrfTokenFrom((await admin.get('/mca')).text);
    return admin
      .post(action)
      .type('form')
      .send(`_csrf=${encodeURIComponent(token)}&${body}`);
  };

  const flashAfter = async (response: { status: number; headers: Record<string, string> }) => {
    expect(response.status).toBe(303);
    const page = await admin.get(response.headers.location).expect(200);
    return decode(page.text);
  };

  beforeAll(async () => {
    testApp = await createTestApp();
    admin = (await setUpFirstAdmin(testApp)).agent;
    tenants = (await syncTenants(testApp, admin)).filter((t) => t.status === 'none');
    reminded = tenants.slice(0, 2);
    for (const tenant of reminded)
      expect((await createAttestation(admin, tenant.id, { emailLink: 'yes' })).status).toBe(303);
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should give each row a checkbox of the selection form, and "select all N matching" as the filter', async () => {
    const page = decode((await admin.get('/mca?status=none').expect(200)).text);
    expect(page).toContain('<form id="mca-selection" method="post" action="/attestation-batches/selection">');
    const boxes = [...page.matchAll(/<input type="checkbox" name="tenant" value="(\d+)" form="mca-selection"/g)];
    expect(boxes.length).toBeGreaterThan(0);
    const total = tenants.length - reminded.length;
    expect(page).toContain(`href="/mca?status=none&select=all"`);
    expect(page).toContain(`Select all ${total} matching`);
    const all = decode((await admin.get('/mca?status=none&select=all').expect(200)).text);
    expect(all).toContain('<input type="hidden" name="matching" value="all" form="mca-selection">');
    expect(all).toContain('<input type="hidden" name="status" value="none" form="mca-selection">');
    expect(all).toContain(`All ${total} matching tenants are selected.`);
    expect(all).toMatch(/form="mca-selection" id="select-\d+" aria-label="Select [^"]+" checked disabled>/);
  });

  it('should show no selection to a viewer', async () => {
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    await createUser(testApp, brokerId, 'vic@contoso.test', 'viewer', 'Vic Viewer');
    const viewer = (await signIn(testApp, 'vic@contoso.test')).agent;
    const page = (await viewer.get('/mca').expect(200)).text;
    expect(page).not.toContain('mca-selection');
    expect((await viewer.get('/attestation-batches/new')).status).toBe(403);
  });

  it('should take "Create attestations…" to the selection page, by ids or by the filter', async () => {
    const byIds = await post('/attestation-batches/selection', `tenant=${tenants[3].id}&tenant=${tenants[4].id}`);
    expect(byIds.headers.location).toBe(
      `/attestation-batches/selection?tenant=${tenants[3].id}&tenant=${tenants[4].id}`,
    );
    expect(await flashAfter(byIds)).toContain('For 2 selected tenants.');
    const byFilter = await post('/attestation-batches/selection', 'matching=all&status=none&q=&tenant=1');
    expect(byFilter.headers.location).toBe('/attestation-batches/selection?matching=all&status=none&q=');
    const nothing = await post('/attestation-batches/selection', '');
    expect(nothing.headers.location).toBe('/mca');
  });

  it('should send the attestations’ own reminder to the signatories of the selection’s open links, once', async () => {
    const ids = [...reminded, tenants[5]].map((t) => `tenant=${t.id}`).join('&');
    expect(await flashAfter(await post('/attestation-batches/reminders', ids))).toContain(
      '2 reminders queued to the signatories.',
    );
    const dataSource = testApp.app.get(DataSource);
    const mails: { subject: string }[] = await dataSource.query('SELECT subject FROM outbox_messages');
    expect(mails.filter((m) => m.subject.startsWith('Reminder:'))).toHaveLength(2);
    const events: { action: string }[] = await dataSource.query(
      "SELECT action FROM audit_events WHERE action = 'attestation.reminded'",
    );
    expect(events).toHaveLength(2);
    expect(await flashAfter(await post('/attestation-batches/reminders', 'matching=all&status=pending'))).toContain(
      '0 reminders queued to the signatories. 2 links were already reminded once.',
    );
  });

  it('should export a filter as the MCA report of it, and ticked tenants as a spreadsheet at once', async () => {
    const byFilter = await post('/attestation-batches/export', 'matching=all&status=none&q=contoso');
    expect(byFilter.status).toBe(303);
    expect(byFilter.headers.location).toBe('/reports?status=none&q=contoso');
    const ticked = await post('/attestation-batches/export', `tenant=${tenants[3].id}&tenant=${tenants[4].id}`);
    expect(ticked.status).toBe(200);
    expect(ticked.headers['content-type']).toMatch(/^text\/csv/);
    expect(ticked.headers['content-disposition']).toContain('attachment');
    const [header, ...rows] = parse(ticked.text, { bom: true }) as string[][];
    expect(header).toEqual(['Tenant', 'Microsoft tenant ID', 'Status']);
    expect(rows.map((row) => row[1]).sort()).toEqual(
      [tenants[3].microsoftTenantId, tenants[4].microsoftTenantId].sort(),
    );
    expect(await flashAfter(await post('/attestation-batches/export', 'nothing=1'))).toContain(
      'Select at least one tenant',
    );
  });
});
