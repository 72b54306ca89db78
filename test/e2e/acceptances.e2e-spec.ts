import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { Acceptances1764220000000 } from '../../src/database/migrations/1764220000000-acceptances';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { ReportBuilder } from '../../src/reports/report-builder';
import { Tenant } from '../../src/tenants/tenant.entity';
import { openForm, syncTenants } from '../support/attestations';
import { csrfTokenFrom, postForm, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { createTestApp, type TestApp } from '../support/test-app';

const rowText = (html: string, name: string): string => {
  const start = html.indexOf(`<span class="tenant-name" dir="auto">${name}</span>`);
  return start < 0 ? '' : html.slice(start, html.indexOf('</tr>', start)).replace(/\s+/g, ' ');
};

// Issue 18, tried as a new user would in sandbox mode: acceptances made before the app or outside it, the MCA's
// version, and a tenant's acceptance checked on demand.
describe('Acceptances as Partner Center reports them', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let tenants: Tenant[];
  const byName = (name: string) => tenants.find((tenant) => tenant.name === name) as Tenant;
  const sandbox = () => testApp.app.get(PartnerCenterSandboxService).server;
  const repo = () => testApp.app.get(DataSource).getRepository(Tenant);

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true, env: FAST_JOBS_ENV });
    admin = (await setUpFirstAdmin(testApp)).agent;
    tenants = await syncTenants(testApp, admin);
  });
  afterAll(() => testApp.close());

  it('should show the seed’s earlier attestations as Attested on the first Refresh, made outside MCA Manager', async () => {
    const page = (await admin.get('/mca?size=50')).text;
    for (const [name, signatory] of [
      ['Humongous Insurance', 'Signed by Dana Fuller'],
      ['Graphic Design Institute', 'Signed by Priya Raman'],
      ['Lucerne Publishing', 'Signed by Marc Berger'],
    ]) {
      const row = rowText(page, name);
      expect(row).toContain('Acceptance provided (Attested)');
      expect(row).toContain('made outside MCA Manager');
      expect(row).toContain(signatory);
    }
    expect(rowText(page, 'Proseware Inc.')).toContain('also accepted directly');
    // The legend explains the parts of the wait under "Attestation pending", the marks after the statuses.
    expect(page).toMatch(/<dt>Attestation pending<\/dt><dd>[^<]*<ul id="legend-waits">/);
    expect(page).toContain('<strong>Re-acceptance needed</strong>');
    expect(rowText(page, 'Humongous Insurance')).toContain('1 Mar 2025');
    // 4 attested and 5 accepted directly, of 40.
    expect(page).toContain('<strong>9</strong> of 40 tenants have accepted');
  });

  it('should show an attestation added in Partner Center after the first sync on the next Refresh', async () => {
    const adatum = byName('Adatum Corporation');
    expect(adatum.status).toBe('none');
    sandbox().addPartnerAgreement(adatum.microsoftTenantId, {
      dateAgreed: '2025-03-01T00:00:00Z',
      primaryContact: { firstName: 'Ana', lastName: 'Lima', email: 'ana@adatum.example', phoneNumber: '+1 555 0100' },
    });
    tenants = await syncTenants(testApp, admin);
    expect(byName('Adatum Corporation')).toMatchObject({
      status: 'attested',
      attestedOutside: true,
      acceptedAt: new Date('2025-03-01T00:00:00Z'),
    });
    expect((await admin.get('/mca')).text).toContain('<strong>10</strong> of 40 tenants have accepted');
  });

  it('should mark an acceptance older than the required date, count it out of the rate, filter and report it', async () => {
    const saved = await postForm(admin, '/settings/partner-center', '/settings/partner-center/acceptance-policy', {
      requireAcceptedFrom: '2023-04-01',
    });
    expect(saved.status).toBe(303);
    const lucerne = byName('Lucerne Publishing');
    await eventually(async () => ((await repo().findOneByOrFail({ id: lucerne.id })).reacceptance ? true : undefined));

    const page = (await admin.get('/mca?size=50')).text;
    expect(rowText(page, 'Lucerne Publishing')).toContain('Re-acceptance needed');
    expect(rowText(page, 'Humongous Insurance')).not.toContain('Re-acceptance needed');
    expect(page).toMatch(/id="chip-reaccept"[^>]*>Re-acceptance needed <span class="chip-count">1<\/span>/);
    expect(page).toContain('<strong>9</strong> of 40 tenants have accepted');
    expect(page).toContain('1 accepted tenant needs to accept again');

    const filtered = (await admin.get('/mca?status=reaccept')).text;
    expect(filtered).toContain('Showing <strong>1–1 of 1</strong> tenant with status “Re-acceptance needed”');
    expect(rowText(filtered, 'Lucerne Publishing')).not.toBe('');

    const brokerId = lucerne.brokerId;
    const rows = [];
    for await (const batch of testApp.app.get(ReportBuilder).batches(brokerId, { status: 'reaccept', q: '' }))
      rows.push(...batch);
    expect(rows.map((row) => [row.name, row.reacceptanceNeeded, row.attestedOutside])).toEqual([
      ['Lucerne Publishing', true, true],
    ]);

    // Creating an attestation is what such a tenant needs: no "usually not needed" warning.
    const form = (await openForm(admin, lucerne.id)).page.text;
    expect(form).not.toContain('id="accepted-notice"');
    expect(form).toContain('id="reacceptance-notice"');
    const accepted = (await openForm(admin, byName('Humongous Insurance').id)).page.text;
    expect(accepted).toContain('A new attestation is usually not needed');
  });

  it("should show a tenant's acceptance, checked with Microsoft when opened and on demand", async () => {
    const humongous = byName('Humongous Insurance');
    const page = await admin.get(`/tenants/${humongous.id}/acceptance`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Acceptance provided (Attested)');
    expect(page.text).toContain('Dana Fuller');
    expect(page.text).toContain('made outside MCA Manager');
    expect(page.text).toContain('117a77b0-9360-443b-8795-c6dedc750cf9');

    // Microsoft now also reports a direct acceptance: the check says so at once.
    sandbox().setDirectAcceptance(humongous.microsoftTenantId, true);
    sandbox().clearRequests();
    const checked = await admin
      .post(`/tenants/${humongous.id}/acceptance/check`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text) });
    expect(checked.status).toBe(303);
    expect(
      sandbox()
        .requests.map((r) => r.path.split('?')[0])
        .filter((path) => path.startsWith('/v1/')),
    ).toEqual([
      `/v1/customers/${humongous.microsoftTenantId}/directSignedMicrosoftCustomerAgreementStatus`,
      `/v1/customers/${humongous.microsoftTenantId}/agreements`,
    ]);
    const after = await repo().findOneByOrFail({ id: humongous.id });
    expect(after).toMatchObject({ directlySigned: true });
    expect(after.acceptanceCheckedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [event] = await testApp.app
      .get(DataSource)
      .query(`SELECT data FROM audit_events WHERE action = 'tenant.acceptance_checked' ORDER BY id DESC LIMIT 1`);
    expect(JSON.parse(event.data)).toMatchObject({ from: 'attested', to: 'attested' });
    const shown = await admin.get(`/tenants/${humongous.id}/acceptance`);
    expect(shown.text).toContain('Checked with Microsoft just now.');
    expect(shown.text).toContain('Accepted by the customer in the Microsoft 365 admin center');
  });
});

// Item 9: what an installation stored before this change, carried over by the migration.
describe('Acceptances migration', () => {
  it("should keep the app's finalized attestations as partner acceptances and leave every tenant to be read again", async () => {
    const options = buildDataSourceOptions(process.env.DATABASE_URL, mkdtempSync(join(tmpdir(), 'mca-migrate-')));
    if (process.env.DATABASE_URL) {
      const reset = await new DataSource({ ...options, migrationsRun: false, migrations: [] }).initialize();
      await reset.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
      await reset.destroy();
    }
    const previous = MIGRATIONS.slice(0, MIGRATIONS.indexOf(Acceptances1764220000000));
    const before = await new DataSource({ ...options, migrations: previous }).initialize();
    const p = (n: number) => (before.options.type === 'postgres' ? `$${n}` : '?');
    const at = '2026-11-01 10:00:00.000';
    await before.query(`INSERT INTO brokers (name) VALUES (${p(1)})`, ['Old Partner']);
    const [{ id: brokerId }] = await before.query('SELECT id FROM brokers');
    const insertTenant = `INSERT INTO tenants (broker_id, microsoft_tenant_id, name, status, directly_signed, accepted_at, attestation_state)
      VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)})`;
    await before.query(insertTenant, [brokerId, 't-attested', 'Attested Ltd', 'attested', false, at, 'finalized']);
    await before.query(insertTenant, [brokerId, 't-direct', 'Direct Ltd', 'direct', true, at, null]);
    const [{ id: tenantId }] = await before.query(`SELECT id FROM tenants WHERE name = ${p(1)}`, ['Attested Ltd']);
    await before.query(
      `INSERT INTO attestations (broker_id, tenant_id, pc_attestation_id, request_token, signatory_first_name,
        signatory_last_name, signatory_email, signatory_phone, company_name, country, language, state, link,
        template_id, created_by_label, created_at, finalized_at)
       VALUES (${[...Array(17)].map((_, i) => p(i + 1)).join(', ')})`,
      [
        brokerId,
        tenantId,
        'pc-1',
        'rt-1',
        'Signe',
        'Signatory',
        'signe@customer.test',
        '+44 20 7946 0000',
        'Attested Ltd',
        'GB',
        'en-GB',
        'finalized',
        'http://localhost:3000/sandbox/accept/pc-1',
        'tpl-1',
        'ada',
        at,
        at,
      ],
    );
    await before.destroy();

    // Outside the app, the entities it reads are named here (the app's modules register their own).
    const after = await new DataSource({ ...options, entities: [Tenant] }).initialize();
    try {
      const rows = await after.getRepository(Tenant).find({ order: { name: 'ASC' } });
      expect(rows.map((row) => [row.name, row.status, row.partnerAccepted, row.directlySigned])).toEqual([
        ['Attested Ltd', 'attested', true, false],
        ['Direct Ltd', 'direct', false, true],
      ]);
      expect(rows[0]).toMatchObject({
        partnerAgreedAt: rows[0].acceptedAt,
        agreementSignatory: 'Signe Signatory <signe@customer.test>',
        agreementTemplateId: 'tpl-1',
        attestedOutside: false,
        acceptanceCheckedAt: null,
      });
      expect(JSON.parse(rows[0].ownAgreementContact as string)).toEqual({
        firstName: 'Signe',
        lastName: 'Signatory',
        email: 'signe@customer.test',
        phoneNumber: '+44 20 7946 0000',
      });
      expect(rows[1]).toMatchObject({ directSeenAt: rows[1].acceptedAt, acceptanceCheckedAt: null });
      const [attestation] = await after.query('SELECT link, component_url, state FROM attestations');
      expect(attestation).toEqual({
        link: 'http://localhost:3000/sandbox/accept/pc-1',
        component_url: null,
        state: 'finalized',
      });
    } finally {
      await after.destroy();
    }
  });
});
