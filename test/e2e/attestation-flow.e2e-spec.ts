import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { POLL_JOB } from '../../src/attestations/attestation-jobs';
import type { Attestation } from '../../src/attestations/attestation.record';
import { AttestationsService } from '../../src/attestations/attestations.service';
import { AuditVerifier } from '../../src/audit/audit-verifier.service';
import { runForBroker, type Actor } from '../../src/common/request-context';
import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { acceptAsCustomer, act, createAttestation, sandboxOf, syncTenants } from '../support/attestations';
import { auditEvents } from '../support/audit';
import { csrfTokenFrom, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';

interface Row {
  id: number;
  tenant_id: number;
  pc_attestation_id: string;
  state: string;
  link: string;
  last_error: string | null;
}

// The whole lifecycle on the sandbox, with the real job worker and a real SMTP server on loopback.
describe('Attestation lifecycle', () => {
  let testApp: TestApp;
  let smtp: TestSmtp;
  let admin: TestAgent;
  let tenants: Tenant[];
  let next = 0;
  const freshTenant = () => tenants.filter((t) => t.status === 'none')[next++];

  const rowOf = async (tenantId: number): Promise<Row> => {
    const rows = await testApp.app
      .get(DataSource)
      .query(`SELECT * FROM attestations WHERE tenant_id = ${tenantId} ORDER BY id DESC`);
    return rows[0] as Row;
  };
  const stateOf = (tenantId: number, state: string) =>
    eventually(async () => ((await rowOf(tenantId))?.state === state ? rowOf(tenantId) : undefined));
  const agreementCalls = (tenant: Tenant) =>
    sandboxOf(testApp).requests.filter(
      (r) => r.method === 'POST' && r.path === `/v1/customers/${tenant.microsoftTenantId}/agreements`,
    );
  // What the recurring poll does on its next round, asked for now instead of in 15 seconds.
  const pollNow = () =>
    testApp.app.get(SqlService).transaction(async (tx) => {
      await tx.query`UPDATE attestations SET next_poll_at = NULL`;
      return testApp.app.get(JobQueue).enqueue(tx, POLL_JOB, {});
    });
  const lastPollJob = async () =>
    (await testApp.app.get(DataSource).query(`SELECT max(id) AS id FROM jobs WHERE type = '${POLL_JOB}'`))[0].id;
  const mailsTo = async (address: string) =>
    (await smtp.parsed()).filter((mail) => mail.to && 'text' in mail.to && mail.to.text.includes(address));
  // An accepted attestation without auto-finalize, the acceptance learned by opening its page.
  const acceptedAttestation = async () => {
    const tenant = freshTenant();
    await createAttestation(admin, tenant.id, { autoFinalize: 'no' });
    const row = await rowOf(tenant.id);
    sandboxOf(testApp).acceptAttestation(row.pc_attestation_id);
    const view = await admin.get(`/tenants/${tenant.id}/attestation`);
    expect(view.text).toContain('Ready to finalize');
    return { tenant, row };
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    testApp = await createTestApp({
      listen: true,
      env: {
        ...FAST_JOBS_ENV,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Contoso Cloud <partners@contoso.test>',
        PARTNER_CENTER_RETRY_BASE_MS: '5',
        PARTNER_CENTER_RETRY_MAX_WAIT_MS: '20',
      },
    });
    admin = (await setUpFirstAdmin(testApp)).agent;
    tenants = await syncTenants(testApp, admin);
  });
  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  it('should email the link, learn the acceptance by polling, finalize once on its own and keep the record', async () => {
    const tenant = freshTenant();
    const created = await createAttestation(admin, tenant.id, { emailLink: 'yes', autoFinalize: 'yes' });
    expect(created.status).toBe(303);

    const [invitation] = await eventually(async () => {
      const mails = await mailsTo('grace@fabrikam.test');
      return mails.length > 0 ? mails : undefined;
    });
    expect(invitation.subject).toBe(
      'Contoso Cloud asks you to accept the Microsoft Customer Agreement for Fabrikam, Inc.',
    );
    expect(invitation.from?.text).toContain('partners@contoso.test');
    expect(invitation.text).toContain('This link expires on');
    const link = /(http:\/\/\S+\/agreement\/\S+)/.exec(invitation.text ?? '')?.[1] as string;
    expect(link.startsWith(`${testApp.baseUrl}/agreement/`)).toBe(true);

    await acceptAsCustomer(testApp, link);
    await pollNow();
    const row = await stateOf(tenant.id, 'finalized');

    expect(agreementCalls(tenant)).toHaveLength(1);
    const agreements = sandboxOf(testApp)
      .customers()
      .find((c) => c.id === tenant.microsoftTenantId)?.agreements;
    expect(agreements).toEqual([
      expect.objectContaining({
        attestationId: row.pc_attestation_id,
        primaryContact: {
          firstName: 'Grace',
          lastName: 'Hopper',
          email: 'grace@fabrikam.test',
          phoneNumber: '+1 425 555 0100',
        },
      }),
    ]);

    const list = await admin.get(`/mca?q=${encodeURIComponent(tenant.name)}`);
    expect(list.text).toContain('<span class="status status-attested">Acceptance provided (Attested)</span>');

    const record = JSON.parse((await admin.get(`/tenants/${tenant.id}/attestation/record.json`)).text);
    expect(record.attestation.state).toBe('finalized');
    expect(record.times.acceptedAt).not.toBeNull();
    expect(record.times.finalizedAt).not.toBeNull();
    expect(record.auditEvents.map((e: { action: string }) => e.action)).toEqual([
      'attestation.created',
      'attestation.link_emailed',
      'attestation.accepted',
      'attestation.finalized',
    ]);
    for (const event of record.auditEvents) expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.auditEvents[0].actor).toBe('ada@contoso.test');

    const notices = await eventually(async () => {
      const mails = await mailsTo('ada@contoso.test');
      return mails.length >= 2 ? mails : undefined;
    });
    expect(notices.map((m) => m.subject).sort()).toEqual([
      'Attestation finalized for Fabrikam, Inc.',
      'Fabrikam, Inc. accepted the Microsoft Customer Agreement',
    ]);
    expect(await mailsTo('grace@fabrikam.test')).toHaveLength(1);
  });

  // Whoever learns of it first, the acceptance is the customer's act at the time Partner Center (the sandbox)
  // reports; the poll job or the admin who opened the page only observed it, later.
  it.each([
    ['the background check', { type: 'system', label: 'background acceptance check' }],
    ['an admin opening the attestation', { type: 'user', label: 'ada@contoso.test' }],
  ])('should record the signatory as accepting via the agreement link, observed by %s', async (_, observer) => {
    const tenant = freshTenant();
    await createAttestation(admin, tenant.id, { autoFinalize: 'no' });
    const row = await rowOf(tenant.id);
    await acceptAsCustomer(testApp, row.link);
    const reported = sandboxOf(testApp).attestation(row.pc_attestation_id)?.acceptedAt as string;
    expect(reported).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Observed a moment after the customer accepted, so the two times differ.
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (observer.type === 'system') {
      await pollNow();
      await stateOf(tenant.id, 'accepted');
    } else {
      expect((await admin.get(`/tenants/${tenant.id}/attestation`)).text).toContain('Ready to finalize');
    }

    const customer = 'Grace Hopper (grace@fabrikam.test) via the agreement link';
    const events = (await auditEvents(testApp, 'attestation.accepted')).filter((e) => e.subject_id === String(row.id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_type: 'customer', actor_id: null, actor_label: customer });
    const data = JSON.parse(events[0].data);
    expect(data).toMatchObject({
      acceptedBy: { name: 'Grace Hopper', email: 'grace@fabrikam.test', via: 'via the agreement link' },
      acceptedAt: reported,
      acceptedAtSource: 'partner_center',
      observedBy: observer,
    });
    expect(Date.parse(data.observedAt)).toBeGreaterThan(Date.parse(reported));

    const record = JSON.parse((await admin.get(`/tenants/${tenant.id}/attestation/record.json`)).text);
    expect(record.times.acceptedAt).toBe(reported);
    expect(record.acceptance).toEqual({
      acceptedBy: {
        name: 'Grace Hopper',
        email: 'grace@fabrikam.test',
        via: 'via the agreement link',
        label: customer,
      },
      acceptedAt: reported,
      acceptedAtSource: 'partner_center',
      observedBy: observer,
      observedAt: data.observedAt,
    });
    const accepted = record.auditEvents.find((e: { action: string }) => e.action === 'attestation.accepted');
    expect(accepted).toMatchObject({ actor: customer, actorType: 'customer', hash: events[0].hash });

    const page = (await admin.get(`/tenants/${tenant.id}/attestation/record`)).text;
    const acceptance = /<dl class="attestation-facts" id="record-acceptance">([\s\S]*?)<\/dl>/.exec(page)?.[1];
    expect(acceptance).toContain('<dt>Accepted by</dt><dd>Grace Hopper (grace@fabrikam.test)</dd>');
    expect(acceptance).toContain('<dt>How</dt><dd>via the agreement link</dd>');
    expect(acceptance).toContain(`>${reported}</time> <small>(as Partner Center reports it)</small>`);
    expect(acceptance).toContain(`<dt>Observed by</dt><dd>${observer.label}</dd>`);
    expect(acceptance).toContain(`>${data.observedAt}</time>`);
    const timeline = (await admin.get(`/tenants/${tenant.id}/attestation`)).text;
    expect(timeline).toContain(`${customer}; observed by ${observer.label}</li>`);
  });

  it('should record one acceptance, by the first observer, when the page and the background check see it at once', async () => {
    const tenant = freshTenant();
    await createAttestation(admin, tenant.id, { autoFinalize: 'no' });
    const row = await rowOf(tenant.id);
    sandboxOf(testApp).acceptAttestation(row.pc_attestation_id);
    const service = testApp.app.get(AttestationsService);
    const brokerId = Number(
      (await testApp.app.get(DataSource).query(`SELECT broker_id FROM tenants WHERE id = ${tenant.id}`))[0].broker_id,
    );
    const attestation = (await runForBroker(brokerId, () => service.latestFor(tenant.id))) as Attestation;
    const observers: Actor[] = [
      { type: 'system', jobId: null, label: 'background acceptance check' },
      { type: 'user', id: 1, label: 'ada@contoso.test' },
    ];
    const seen = await Promise.all(
      observers.map((observer) => runForBroker(brokerId, () => service.check(attestation), observer)),
    );
    expect(seen.map((a) => a.state)).toEqual(['accepted', 'accepted']);
    const events = (await auditEvents(testApp, 'attestation.accepted')).filter((e) => e.subject_id === String(row.id));
    expect(events).toHaveLength(1);
    expect(observers.map((o) => o.label)).toContain(JSON.parse(events[0].data).observedBy.label);
  });

  it("should find the customers' acceptances in the audit trail under the signatory, and keep the chain intact", async () => {
    // Filtered by actor: only events whose actor is the signatory are listed.
    const audit = await admin.get('/audit?action=attestation.accepted&actor=grace%40fabrikam.test');
    expect(audit.status).toBe(200);
    expect(audit.text).toContain('Grace Hopper (grace@fabrikam.test) via the agreement link');
    expect(audit.text).toContain('background acceptance check');
    expect(await testApp.app.get(AuditVerifier).verify()).toMatchObject({ ok: true });
  });

  it('should finalize by hand once the customer accepted', async () => {
    const { tenant } = await acceptedAttestation();
    const response = await act(admin, tenant.id, 'finalize');
    expect(response.status).toBe(303);
    await stateOf(tenant.id, 'finalized');
    expect(agreementCalls(tenant)).toHaveLength(1);
    const view = await admin.get(`/tenants/${tenant.id}/attestation`);
    expect(view.text).toContain('Finalized');
  });

  it("should show Partner Center's refusal with a Retry, and finalize on Retry", async () => {
    const { tenant } = await acceptedAttestation();
    sandboxOf(testApp).faults.add({
      path: `/v1/customers/${tenant.microsoftTenantId}/agreements`,
      method: 'POST',
      status: 400,
      body: {
        code: 600031,
        message: 'The signatory phone number is not valid.',
        errorName: 'InvalidInput',
        isRetryable: false,
      },
    });
    await act(admin, tenant.id, 'finalize');
    const failed = await stateOf(tenant.id, 'finalize_failed');
    expect(failed.last_error).toContain('The signatory phone number is not valid.');
    const view = await admin.get(`/tenants/${tenant.id}/attestation`);
    expect(view.text).toContain('Finalize failed');
    expect(view.text).toContain('The signatory phone number is not valid.');
    expect(view.text).toContain('id="retry"');
    const list = await admin.get(`/mca?q=${encodeURIComponent(tenant.name)}`);
    expect(list.text).toContain('Finalize failed');

    expect((await act(admin, tenant.id, 'retry')).status).toBe(303);
    await stateOf(tenant.id, 'finalized');
    expect(agreementCalls(tenant)).toHaveLength(2);
    const failure = await eventually(async () => {
      const mails = (await mailsTo('ada@contoso.test')).filter(
        (m) => m.subject === `Finalize failed for Fabrikam, Inc.`,
      );
      return mails.length > 0 ? mails : undefined;
    });
    expect(failure).toHaveLength(1);
  });

  it('should ride out a storm of 429s during finalize and create the agreement once', async () => {
    const { tenant } = await acceptedAttestation();
    sandboxOf(testApp).faults.add({
      path: `/v1/customers/${tenant.microsoftTenantId}/agreements`,
      method: 'POST',
      status: 429,
      retryAfterSeconds: 0,
      times: 6,
    });
    await act(admin, tenant.id, 'finalize');
    await stateOf(tenant.id, 'finalized');
    expect(agreementCalls(tenant)).toHaveLength(7);
    expect(
      sandboxOf(testApp)
        .customers()
        .find((c) => c.id === tenant.microsoftTenantId)?.agreements,
    ).toHaveLength(1);
  });

  it('should call Partner Center once for two finalize requests at once', async () => {
    const { tenant } = await acceptedAttestation();
    const page = await admin.get(`/tenants/${tenant.id}/attestation`);
    const id = /name="attestationId" value="(\d+)"/.exec(page.text)?.[1] as string;
    const send = () =>
      admin
        .post(`/tenants/${tenant.id}/attestation/finalize`)
        .type('form')
        .send({ _csrf: csrfTokenFrom(page.text), attestationId: id });
    const [first, second] = await Promise.all([send(), send()]);
    expect([first.status, second.status]).toEqual([303, 303]);
    await stateOf(tenant.id, 'finalized');
    expect(agreementCalls(tenant)).toHaveLength(1);
  });

  it('should remind the signatory once a day before the link expires', async () => {
    const tenant = freshTenant();
    await createAttestation(admin, tenant.id, { emailLink: 'yes', signatoryEmail: 'reminded@fabrikam.test' });
    await testApp.app.get(SqlService).transaction(async (tx) => {
      const soon = tx.dialect.encodeTimestamp(new Date(Date.now() + 60 * 60_000));
      await tx.query`UPDATE attestations SET link_expires_at = ${soon} WHERE tenant_id = ${tenant.id}`;
    });
    await pollNow();
    const mails = await eventually(async () => {
      const found = await mailsTo('reminded@fabrikam.test');
      return found.length >= 2 ? found : undefined;
    });
    expect(mails.map((m) => m.subject)).toContain(
      'Reminder: the Microsoft Customer Agreement link for Fabrikam, Inc. expires soon',
    );
    await pollNow();
    await eventually(async () =>
      (await testApp.app.get(JobQueue).get(Number(await lastPollJob())))?.state === 'succeeded' ? true : undefined,
    );
    // A second round wrote no second reminder (the outbox holds every message asked for).
    const written = await testApp.app
      .get(DataSource)
      .query(`SELECT subject FROM outbox_messages WHERE to_address = 'reminded@fabrikam.test'`);
    expect(written).toHaveLength(2);
    const record = JSON.parse((await admin.get(`/tenants/${tenant.id}/attestation/record.json`)).text);
    expect(record.times.remindedAt).not.toBeNull();
  });

  it('should mark an expired link, count it in its chip and start a new attestation with the same details', async () => {
    const tenant = freshTenant();
    await createAttestation(admin, tenant.id, { signatoryFirstName: 'Expiring' });
    const row = await rowOf(tenant.id);
    sandboxOf(testApp).expireAttestation(row.pc_attestation_id);
    await pollNow();
    await stateOf(tenant.id, 'expired');
    const list = await admin.get('/mca?status=expired');
    expect(list.text).toMatch(/id="chip-expired"[^>]*>Link expired <span class="chip-count">1</);
    expect(list.text).toContain(tenant.name.replace(/&/g, '&amp;'));
    expect(list.text).toContain('<small class="attestation-wait">Link expired</small>');
    const view = await admin.get(`/tenants/${tenant.id}/attestation`);
    const renew = (/href="([^"]+)"[^>]*id="renew"/.exec(view.text)?.[1] as string).replace(/&#x3D;/g, '=');
    expect(renew).toBe(`/tenants/${tenant.id}/attestations/new?from=${row.id}`);
    const form = await admin.get(renew);
    expect(form.text).toContain('value="Expiring"');
    const renewed = await createAttestation(admin, tenant.id, { signatoryFirstName: 'Expiring' });
    expect(renewed.status).toBe(303);
    expect((await rowOf(tenant.id)).state).toBe('awaiting_acceptance');
  });
});
