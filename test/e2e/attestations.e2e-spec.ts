import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { SqlService } from '../../src/database/sql.service';
import { Tenant } from '../../src/tenants/tenant.entity';
import {
  act,
  attestationRows,
  createAttestation,
  newToken,
  openForm,
  sandboxOf,
  SIGNATORY,
  syncTenants,
} from '../support/attestations';
import { auditEvents } from '../support/audit';
import { createUser, csrfTokenFrom, DEFAULT_PASSWORD, setUpFirstAdmin, signIn } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, createBroker, seedTenants } from '../support/tenants';

describe('Attestations', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let tenants: Tenant[];
  let next = 0;
  // Each test takes tenants of its own that have no acceptance yet.
  const freshTenant = () => {
    const tenant = tenants.filter((t) => t.status === 'none')[next++];
    if (!tenant) throw new Error('Out of sandbox tenants');
    return tenant;
  };

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true });
    admin = (await setUpFirstAdmin(testApp)).agent;
    tenants = await syncTenants(testApp, admin);
  });
  afterAll(() => testApp.close());

  describe('create', () => {
    it('should show the form with the status and link fields waiting for the link', async () => {
      const tenant = freshTenant();
      const { page } = await openForm(admin, tenant.id);
      expect(page.text).toContain('Generate agreement link');
      expect(page.text.match(/Available once the link is generated/g)).toHaveLength(2);
      expect(page.text).toContain(`value="${tenant.name}"`);
      for (const label of ['First name', 'Last name', 'Email', 'Phone', 'Company name', 'Country', 'Language'])
        expect(page.text).toContain(`>${label}`);
      expect(page.text).toContain('Auto-Finalize on Acceptance');
      expect(page.text).toContain('Email the link to the signatory');
    });

    it('should record the attestation and show its link, expiry and creator in place (htmx)', async () => {
      const tenant = freshTenant();
      const response = await createAttestation(admin, tenant.id, {}, { htmx: true });
      expect(response.status).toBe(200);
      expect(response.text).not.toContain('<html');
      expect(response.text).toContain('Agreement link generated');
      expect(response.text).toContain('Awaiting acceptance');
      expect(response.text).toContain('data-copy="#attestation-link"');
      expect(response.text).toContain('Ada Admin (ada@contoso.test)');
      expect(response.headers['hx-trigger']).toBe('attestation-created');
      const [row] = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      expect(row.state).toBe('awaiting_acceptance');
      expect(row.link).toBe(`${testApp.baseUrl}/agreement/${row.pc_attestation_id}`);
      expect(row.component_url).toBe(
        `${testApp.baseUrl}/sandbox/accept?attestationId=${row.pc_attestation_id}&language=en-US`,
      );
      expect(response.text).toContain(row.link);
      const sandboxAttestation = sandboxOf(testApp).attestation(row.pc_attestation_id);
      // The documented create fields name no customer: the attestation meets its customer when it is finalized.
      expect(sandboxAttestation).toMatchObject({
        customerTenantId: null,
        signatoryFirstName: 'Grace',
        signatoryLastName: 'Hopper',
        signatoryEmail: 'grace@fabrikam.test',
        signatoryPhoneNumber: '+1 425 555 0100',
        companyName: 'Fabrikam, Inc.',
        country: 'US',
        language: 'en-US',
      });
      const list = await admin.get(`/mca?q=${encodeURIComponent(tenant.name)}`);
      expect(list.text).toContain('Attestation pending');
      expect(list.text).toContain('Awaiting acceptance');
    });

    it('should redirect to the attestation page without JavaScript', async () => {
      const tenant = freshTenant();
      const response = await createAttestation(admin, tenant.id);
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`/tenants/${tenant.id}/attestation`);
      const view = await admin.get(response.headers.location);
      expect(view.status).toBe(200);
      expect(view.text).toContain('Agreement link generated');
      expect(view.text).toContain('Awaiting acceptance');
      expect(view.text).toContain('Grace Hopper');
    });

    it.each([
      [
        'a direction override in a name',
        { signatoryFirstName: 'Grace\u202etxt.exe' },
        'signatoryFirstName',
        'cannot contain',
      ],
      ['an overlong last name', { signatoryLastName: 'x'.repeat(101) }, 'signatoryLastName', 'at most 100'],
      ['an invalid email', { signatoryEmail: 'grace@' }, 'signatoryEmail', 'valid email'],
      ['an overlong email', { signatoryEmail: `${'a'.repeat(250)}@x.test` }, 'signatoryEmail', 'at most 254'],
      ['a phone with letters', { signatoryPhone: '+1 CALL NOW' }, 'signatoryPhone', 'digits'],
      ['an unknown country', { country: 'XX' }, 'country', 'Choose a country'],
      ['an unknown language', { language: 'xx-YY' }, 'language', 'Choose a language'],
      ['a line break in the company', { companyName: 'Fabrikam\nBcc: x@example.com' }, 'companyName', 'cannot contain'],
      ['an empty first name', { signatoryFirstName: '   ' }, 'signatoryFirstName', 'Enter the first name'],
    ])('should refuse %s next to the field, keep the form and change nothing', async (_, fields, field, message) => {
      const tenant = freshTenant();
      const before = (await attestationRows(testApp)).length;
      const response = await createAttestation(admin, tenant.id, fields as Partial<typeof SIGNATORY>);
      expect(response.status).toBe(422);
      expect(response.text).toMatch(new RegExp(`id="${field}-error">[^<]*${message}`));
      expect(response.text).toContain('aria-invalid="true"');
      expect(response.text).toContain(field === 'signatoryLastName' ? 'value="Grace"' : 'value="Hopper"');
      expect(response.text).not.toContain('<script>alert(1)</script>');
      expect(await attestationRows(testApp)).toHaveLength(before);
      next -= 1; // nothing was made: the tenant is still fresh
    });

    it('should show an open attestation before any form is filled, and start a new link from an expired one', async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id);
      for (const htmx of [false, true]) {
        const page = await admin
          .get(`/tenants/${tenant.id}/attestations/new`)
          .set(htmx ? { 'HX-Request': 'true' } : {});
        expect(page.status).toBe(200);
        expect(page.text).toContain('already has an open attestation');
        expect(page.text).toContain('id="attestation-status">Awaiting acceptance<');
        expect(page.text).toContain(`href="/tenants/${tenant.id}/attestation/cancel"`);
        expect(page.text).toContain('Cancel and start again');
        expect(page.text).not.toContain('Generate agreement link');
      }
      const [row] = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      sandboxOf(testApp).expireAttestation(row.pc_attestation_id);
      expect((await admin.get(`/tenants/${tenant.id}/attestation`)).text).toContain('Link expired');
      const renewed = await admin.get(`/tenants/${tenant.id}/attestations/new`);
      expect(renewed.text).toContain('Generate agreement link');
      expect(renewed.text).toContain('value="grace@fabrikam.test"');
    });

    it('should take a company name with markup characters as text, as its tenant is named', async () => {
      const tenant = freshTenant();
      const response = await createAttestation(admin, tenant.id, {
        companyName: '<Contoso> & "Partners"',
        signatoryLastName: "O'Brien <Ops>",
      });
      expect(response.status).toBe(303);
      const [row] = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      expect(row).toMatchObject({ company_name: '<Contoso> & "Partners"', signatory_last_name: "O'Brien <Ops>" });
      const view = await admin.get(`/tenants/${tenant.id}/attestation`);
      expect(view.text).toContain('&lt;Contoso&gt; &amp; &quot;Partners&quot;');
      expect(view.text).not.toContain('<Contoso>');
    });

    it('should make one attestation of a replayed form and refuse a second open one with a link to it', async () => {
      const tenant = freshTenant();
      const token = newToken();
      // Forms opened before the attestation existed: a double submit, a replay, another tab.
      const [one, two, three, other] = await Promise.all([1, 2, 3, 4].map(() => openForm(admin, tenant.id)));
      const [first, second] = await Promise.all([
        createAttestation(admin, tenant.id, {}, { requestToken: token, form: one }),
        createAttestation(admin, tenant.id, {}, { requestToken: token, form: two }),
      ]);
      expect([first.status, second.status]).toEqual([303, 303]);
      const replay = await createAttestation(admin, tenant.id, {}, { requestToken: token, form: three });
      expect(replay.status).toBe(303);
      const rows = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      expect(rows).toHaveLength(1);
      const otherTab = await createAttestation(admin, tenant.id, { signatoryFirstName: 'Other' }, { form: other });
      expect(otherTab.status).toBe(409);
      expect(otherTab.text).toContain('already has an open attestation');
      expect(otherTab.text).toContain(`href="/tenants/${tenant.id}/attestation"`);
      expect(
        (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id),
      ).toHaveLength(1);
    });

    it('should ask Partner Center once when five forms for one tenant are sent at once', async () => {
      const tenant = freshTenant();
      const forms = await Promise.all([1, 2, 3, 4, 5].map(() => openForm(admin, tenant.id)));
      const creates = () => sandboxOf(testApp).callCounts.get('POST /v1/attestations/enhanced') ?? 0;
      const before = creates();
      const answers = await Promise.all(forms.map((form) => createAttestation(admin, tenant.id, {}, { form })));
      expect(answers.map((answer) => answer.status).sort()).toEqual([303, 409, 409, 409, 409]);
      for (const refused of answers.filter((answer) => answer.status === 409))
        expect(refused.text).toMatch(/already has an open attestation|being created from another form/);
      expect(creates() - before).toBe(1);
      const rows = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      expect(rows).toHaveLength(1);
      const [{ n }] = await testApp.app.get(DataSource).query('SELECT count(*) AS n FROM attestation_claims');
      expect(Number(n)).toBe(0);
    });

    it('should free the tenant again when Partner Center refuses the create', async () => {
      const tenant = freshTenant();
      sandboxOf(testApp).faults.add({ path: '/v1/attestations/enhanced', method: 'POST', status: 400 });
      expect((await createAttestation(admin, tenant.id)).status).toBe(422);
      expect((await createAttestation(admin, tenant.id)).status).toBe(303);
    });

    it('should say who may attest when Partner Center refuses the attestation (403), and keep nothing', async () => {
      const tenant = freshTenant();
      sandboxOf(testApp).faults.add({ path: '/v1/attestations/enhanced', method: 'POST', status: 403 });
      const refused = await createAttestation(admin, tenant.id);
      expect(refused.status).toBe(502);
      expect(refused.text).toContain('Admin agent or Sales agent');
      expect(refused.text).toContain('indirect resellers cannot attest');
      expect(
        (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id),
      ).toHaveLength(0);
    });

    it('should say at the top when the tenant already has acceptance', async () => {
      const direct = tenants.find((t) => t.status === 'direct') as Tenant;
      const { page } = await openForm(admin, direct.id);
      expect(page.text).toContain('id="accepted-notice"');
      expect(page.text).toContain('already shows “Acceptance provided (Direct)”');
    });
  });

  describe('acceptance and the lifecycle', () => {
    it('should ask before cancelling, saying what happens to the link and the tenant, on a page of its own', async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id);
      const view = await admin.get(`/tenants/${tenant.id}/attestation`);
      expect(view.text).toContain(`href="/tenants/${tenant.id}/attestation/cancel"`);
      expect(view.text).toContain('<dialog id="cancel-dialog"');
      const page = await admin.get(`/tenants/${tenant.id}/attestation/cancel`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Cancel this attestation?');
      expect(page.text).toContain(
        'The customer’s agreement link stops working: Grace Hopper can no longer accept with it',
      );
      expect(page.text).toContain(`${tenant.name.replace(/&/g, '&amp;')} goes back to “No acceptance provided”.`);
      expect((await act(admin, tenant.id, 'cancel')).status).toBe(303);
      // Nothing left to cancel: the page sends back to the attestation.
      const again = await admin.get(`/tenants/${tenant.id}/attestation/cancel`);
      expect(again.status).toBe(303);
      expect(again.headers.location).toBe(`/tenants/${tenant.id}/attestation`);
    });

    it('should keep an accepted tenant accepted through a new attestation and its cancel, rate and all', async () => {
      const rateOf = async () => /<p class="mca-rate-value">([^<]+)<\/p>/.exec((await admin.get('/mca')).text)?.[1];
      for (const name of ['Humongous Insurance', 'Best For You Organics']) {
        const tenant = tenants.find((t) => t.name === name) as Tenant;
        const before = await testApp.app.get(DataSource).getRepository(Tenant).findOneByOrFail({ id: tenant.id });
        const rate = await rateOf();
        expect((await createAttestation(admin, tenant.id)).status).toBe(303);
        expect((await admin.get(`/tenants/${tenant.id}/attestation/cancel`)).text).toContain(
          `keeps its status, “${before.status === 'attested' ? 'Acceptance provided (Attested)' : 'Acceptance provided (Direct)'}”`,
        );
        const list = (await admin.get(`/mca?q=${encodeURIComponent(name)}`)).text;
        expect(list).toContain(`status-${before.status}`);
        expect(list).toContain('New attestation: Awaiting acceptance');
        expect(await rateOf()).toBe(rate);
        expect((await act(admin, tenant.id, 'cancel')).status).toBe(303);
        const after = await testApp.app.get(DataSource).getRepository(Tenant).findOneByOrFail({ id: tenant.id });
        expect({ ...after, attestationState: null, updatedAt: null }).toEqual({
          ...before,
          attestationState: null,
          updatedAt: null,
        });
        expect(await rateOf()).toBe(rate);
      }
    });

    it('should give the customer a public page of the app that frames the component, opening it to that origin only', async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id, { autoFinalize: 'no', language: 'fr-FR' });
      const [row] = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      const page = await request(testApp.server).get(new URL(row.link).pathname);
      expect(page.status).toBe(200);
      // In the signatory's language: the page's words and its dates.
      expect(page.text).toContain('<html lang="fr-FR">');
      expect(page.text).toContain('<h1>Contrat client Microsoft</h1>');
      expect(page.text).toContain('votre partenaire Microsoft, vous demande de lire et d’accepter');
      expect(page.text).toMatch(/Ce lien expire le \d{1,2} \S+ \d{4} à \d{2}:\d{2} UTC\./);
      expect(page.text).toContain('Contoso Cloud');
      expect(page.text).toContain(tenant.name.replace(/&/g, '&amp;'));
      const src = /<iframe class="component" src="([^"]+)"/
        .exec(page.text)?.[1]
        ?.replace(/&#x3D;/g, '=')
        .replace(/&amp;/g, '&');
      expect(src).toBe(row.component_url);
      const csp = page.headers['content-security-policy'] as string;
      expect(csp).toContain(`frame-src ${new URL(testApp.baseUrl).origin}`);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      // Elsewhere nothing is framed.
      expect((await admin.get('/mca')).headers['content-security-policy']).not.toContain('frame-src');
      const component = await request(testApp.server).get(
        new URL(row.component_url).pathname + new URL(row.component_url).search,
      );
      expect(component.headers['content-security-policy']).toContain("frame-ancestors 'self'");
      expect(component.headers['x-frame-options']).toBe('SAMEORIGIN');
    });

    it('should serve the acceptance component at the app’s address, publicly, and learn the acceptance when the page opens', async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id, { autoFinalize: 'no' });
      const [row] = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      const customer = request.agent(testApp.server);
      const componentPath = new URL(row.component_url).pathname + new URL(row.component_url).search;
      const page = await customer.get(componentPath);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Contoso Cloud');
      expect(page.text).toContain(tenant.name.replace(/&/g, '&amp;'));
      expect(page.text).toContain('117a77b0-9360-443b-8795-c6dedc750cf9');
      expect(page.text).toContain('https://aka.ms/customeragreement');
      expect(page.text).toContain('Grace Hopper');
      expect(page.text).toContain('I am authorized to accept on behalf of Fabrikam, Inc.');
      expect(page.text).not.toContain('<script');

      const unchecked = await customer
        .post(componentPath)
        .type('form')
        .send({ _csrf: csrfTokenFrom(page.text) });
      expect(unchecked.status).toBe(422);
      expect(unchecked.text).toContain('id="authorized-error"');
      expect(sandboxOf(testApp).attestation(row.pc_attestation_id)?.status).toBe('pending');

      const forged = await request(testApp.server).post(componentPath).type('form').send({ authorized: 'yes' });
      expect(forged.status).toBe(403);

      const accepted = await customer
        .post(componentPath)
        .type('form')
        .send({ _csrf: csrfTokenFrom(page.text), authorized: 'yes' });
      expect(accepted.status).toBe(303);
      const done = await customer.get(componentPath);
      expect(done.text).toContain('Accepted on');
      expect(sandboxOf(testApp).attestation(row.pc_attestation_id)?.status).toBe('accepted');

      const view = await admin.get(`/tenants/${tenant.id}/attestation`);
      expect(view.text).toContain('Ready to finalize');
      expect(view.text).toContain('id="finalize"');
    });

    it('should answer an unknown link with one clear page, and open a link of the older shape', async () => {
      for (const path of [
        '/sandbox/accept?attestationId=not-a-real-attestation',
        '/agreement/not-a-real-attestation',
      ]) {
        const response = await request(testApp.server).get(path);
        expect(response.status).toBe(404);
        expect(response.text).toContain('link is not valid');
      }
      const older = await request(testApp.server).get('/sandbox/accept/a-1');
      expect(older.status).toBe(303);
      expect(older.headers.location).toBe('/sandbox/accept?attestationId=a-1');
    });

    it('should ask for one finalize when it is sent ten times at once', async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id, { autoFinalize: 'no' });
      const [row] = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      sandboxOf(testApp).acceptAttestation(row.pc_attestation_id);
      await admin.get(`/tenants/${tenant.id}/attestation`);
      const page = await admin.get(`/tenants/${tenant.id}/attestation`);
      const send = () =>
        admin
          .post(`/tenants/${tenant.id}/attestation/finalize`)
          .type('form')
          .send({ _csrf: csrfTokenFrom(page.text), attestationId: String(row.id) });
      const answers = await Promise.all(Array.from({ length: 10 }, send));
      // Once the finalize job has run, a late one is told the attestation moved on (409): never a second request.
      expect(answers.every((answer) => answer.status === 303 || answer.status === 409)).toBe(true);
      expect(answers.some((answer) => answer.status === 303)).toBe(true);
      const events = await testApp.app
        .get(DataSource)
        .query(
          `SELECT id FROM audit_events WHERE action = 'attestation.finalize_requested' AND subject_id = '${row.id}'`,
        );
      expect(events).toHaveLength(1);
    });

    it('should refuse a finalize before acceptance and a cancel of a cancelled attestation, changing nothing', async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id);
      const early = await act(admin, tenant.id, 'finalize');
      expect(early.status).toBe(409);
      expect(early.text).toContain('has not accepted yet');
      const cancelled = await act(admin, tenant.id, 'cancel');
      expect(cancelled.status).toBe(303);
      const view = await admin.get(`/tenants/${tenant.id}/attestation`);
      expect(view.text).toContain('Cancelled');
      const [row] = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      const again = await act(admin, tenant.id, 'cancel', row.id);
      expect(again.status).toBe(409);
      const list = await admin.get(`/mca?q=${encodeURIComponent(tenant.name)}`);
      expect(list.text).toContain('No acceptance provided');
    });

    it('should download the record as JSON and show it printable', async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id);
      const json = await admin.get(`/tenants/${tenant.id}/attestation/record.json`);
      expect(json.status).toBe(200);
      expect(json.headers['content-disposition']).toMatch(/attachment; filename="attestation-\d+-record.json"/);
      const record = JSON.parse(json.text);
      expect(record.signatory).toEqual({
        firstName: 'Grace',
        lastName: 'Hopper',
        email: 'grace@fabrikam.test',
        phone: '+1 425 555 0100',
        companyName: 'Fabrikam, Inc.',
        country: 'US',
        language: 'en-US',
      });
      expect(record.attestation.templateId).toBe('117a77b0-9360-443b-8795-c6dedc750cf9');
      expect(record.partner).toEqual({ name: 'Contoso Cloud' });
      expect(record.tenant).toEqual({
        name: tenant.name,
        domain: tenant.domain,
        microsoftTenantId: tenant.microsoftTenantId,
      });
      expect(record.attestation.agreementDocumentLink).toBe('https://aka.ms/customeragreement');
      expect(record.acceptance).toBeNull();
      expect(record.auditEvents).toHaveLength(1);
      expect(record.auditEvents[0].hash).toMatch(/^[0-9a-f]{64}$/);
      expect(record.auditEvents[0].prevHash).toMatch(/^[0-9a-f]{64}$/);
      const printable = await admin.get(`/tenants/${tenant.id}/attestation/record`);
      expect(printable.status).toBe(200);
      expect(printable.text).toContain('Partner attestation record');
      expect(printable.text).toContain('/css/attestations.css');
      // As the template writes them (Handlebars escapes a name's markup characters).
      const html = (text: string) => text.replace(/&/g, '&amp;').replace(/'/g, '&#x27;');
      for (const fact of [
        '<dt>Organisation</dt><dd>Contoso Cloud</dd>',
        `<dt>Tenant</dt><dd>${html(tenant.name)}</dd>`,
        `<dt>Domain</dt><dd class="break">${tenant.domain}</dd>`,
        `<dt>Microsoft tenant ID</dt><dd><code class="break">${tenant.microsoftTenantId}</code></dd>`,
        '<dt>Template ID</dt><dd><code class="break">117a77b0-9360-443b-8795-c6dedc750cf9</code></dd>',
        '<dt>Document</dt><dd><a class="break" href="https://aka.ms/customeragreement" rel="noopener noreferrer">https://aka.ms/customeragreement</a></dd>',
      ])
        expect(printable.text).toContain(fact);
      expect(printable.text).toContain(`<code class="break">${record.auditEvents[0].hash}</code>`);
      expect(printable.text).toContain(`<code class="break">${record.auditEvents[0].prevHash}</code>`);
      expect(printable.text).toContain('The customer has not accepted');
    });

    // Events written before the customer was named as the one who accepted have the observer as their actor.
    it('should show an older acceptance event as the signatory accepting, observed by its actor', async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id, { autoFinalize: 'no' });
      const row = (await attestationRows(testApp)).find((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      const acceptedAt = new Date('2026-11-26T08:00:00.000Z');
      const sql = testApp.app.get(SqlService);
      const [ada] = await sql.query<{ id: number }>`SELECT id FROM users WHERE email = ${'ada@contoso.test'}`;
      const written = await sql.transaction(async (tx) => {
        await tx.query`UPDATE attestations SET state = ${'accepted'}, accepted_at = ${tx.dialect.encodeTimestamp(acceptedAt)}
          WHERE id = ${row.id}`;
        return testApp.app.get(AuditTrail).record(tx, {
          action: 'attestation.accepted',
          subject: { type: 'attestation', id: row.id },
          brokerId: Number(row.broker_id),
          actor: { type: 'user', id: Number(ada.id), label: 'ada@contoso.test' },
          data: { tenantId: tenant.id, from: 'awaiting_acceptance', to: 'accepted' },
        });
      });
      const [event] = await auditEvents(testApp, 'attestation.accepted').then((all) =>
        all.filter((e) => e.id === written.id),
      );

      const record = JSON.parse((await admin.get(`/tenants/${tenant.id}/attestation/record.json`)).text);
      expect(record.acceptance).toEqual({
        acceptedBy: {
          name: 'Grace Hopper',
          email: 'grace@fabrikam.test',
          via: 'via the agreement link',
          label: 'Grace Hopper (grace@fabrikam.test) via the agreement link',
        },
        acceptedAt: acceptedAt.toISOString(),
        acceptedAtSource: null,
        observedBy: { type: 'user', label: 'ada@contoso.test' },
        observedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(record.auditEvents.at(-1)).toMatchObject({ actor: 'ada@contoso.test', hash: event.hash });
      const printable = await admin.get(`/tenants/${tenant.id}/attestation/record`);
      expect(printable.status).toBe(200);
      expect(printable.text).toContain('<dt>Accepted by</dt><dd>Grace Hopper (grace@fabrikam.test)</dd>');
      expect(printable.text).toContain(`>${acceptedAt.toISOString()}</time></dd>`);
      expect(printable.text).toContain('<dt>Observed by</dt><dd>ada@contoso.test</dd>');
      const view = await admin.get(`/tenants/${tenant.id}/attestation`);
      expect(view.text).toContain(
        'Grace Hopper (grace@fabrikam.test) via the agreement link; observed by ada@contoso.test</li>',
      );
    });
  });

  describe('access', () => {
    const routes = (tenantId: number) => [
      ['GET', `/tenants/${tenantId}/attestations/new`],
      ['POST', `/tenants/${tenantId}/attestations`],
      ['GET', `/tenants/${tenantId}/attestation`],
      ['GET', `/tenants/${tenantId}/attestation/agreement`],
      ['GET', `/tenants/${tenantId}/attestation/finalize`],
      ['POST', `/tenants/${tenantId}/attestation/finalize`],
      ['POST', `/tenants/${tenantId}/attestation/retry`],
      ['POST', `/tenants/${tenantId}/attestation/cancel`],
      ['GET', `/tenants/${tenantId}/attestation/record`],
      ['GET', `/tenants/${tenantId}/attestation/record.json`],
    ];

    it("should answer 404 on every route for another broker's tenant and a tampered attestation id", async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id);
      const otherBroker = await createBroker(testApp, 'Northwind Partners');
      await createUser(testApp, otherBroker, 'olga@northwind.test', 'admin', 'Olga Other');
      await seedTenants(testApp, otherBroker, [{ name: 'Northwind Customer' }]);
      const { agent: other } = await signIn(testApp, 'olga@northwind.test', DEFAULT_PASSWORD);
      const page = await other.get('/mca');
      const csrf = csrfTokenFrom(page.text);
      for (const [method, url] of routes(tenant.id)) {
        const response =
          method === 'GET'
            ? await other.get(url)
            : await other
                .post(url)
                .type('form')
                .send({ _csrf: csrf, attestationId: '1', ...SIGNATORY, requestToken: newToken() });
        expect([method, url, response.status]).toEqual([method, url, 404]);
      }
      const [row] = (await attestationRows(testApp)).filter((r: { tenant_id: number }) => r.tenant_id === tenant.id);
      const otherTenant = freshTenant();
      await createAttestation(admin, otherTenant.id);
      const tampered = await act(admin, otherTenant.id, 'cancel', row.id);
      expect(tampered.status).toBe(404);
      expect((await attestationRows(testApp)).find((r: { id: number }) => r.id === row.id).state).toBe(
        'awaiting_acceptance',
      );
    });

    it('should let a viewer see the attestation and refuse every change with 403', async () => {
      const tenant = freshTenant();
      await createAttestation(admin, tenant.id);
      const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
      await createUser(testApp, brokerId, 'vic@contoso.test', 'viewer', 'Vic Viewer');
      const { agent: viewer } = await signIn(testApp, 'vic@contoso.test');
      const view = await viewer.get(`/tenants/${tenant.id}/attestation`);
      expect(view.status).toBe(200);
      expect(view.text).not.toContain('id="cancel"');
      const csrf = csrfTokenFrom(view.text);
      for (const [method, url] of routes(tenant.id)) {
        const changes = method === 'POST' || url.endsWith('/new') || url.endsWith('/finalize');
        if (!changes) continue;
        const response =
          method === 'GET'
            ? await viewer.get(url)
            : await viewer
                .post(url)
                .type('form')
                .send({ _csrf: csrf, attestationId: '1', ...SIGNATORY, requestToken: newToken() });
        expect([method, url, response.status]).toEqual([method, url, 403]);
      }
      const rows = await testApp.app
        .get(DataSource)
        .query(`SELECT state FROM attestations WHERE tenant_id = ${tenant.id}`);
      expect(rows).toEqual([{ state: 'awaiting_acceptance' }]);
    });
  });
});
