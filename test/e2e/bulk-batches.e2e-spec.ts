import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { auditEvents } from '../support/audit';
import { sandboxOf } from '../support/attestations';
import { batchRows, draftBatch, postButton, rowFor } from '../support/batches';
import { createUser, setUpFirstAdmin, signIn } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { brokerIdOf, createBroker, seedTenants } from '../support/tenants';
import { createTestApp, type TestApp } from '../support/test-app';
import type { Tenant } from '../../src/tenants/tenant.entity';

// Confirmed batches on the real worker, against the Partner Center sandbox, with a real SMTP server.
describe('Attestation batches', () => {
  let testApp: TestApp;
  let smtp: TestSmtp;
  let admin: TestAgent;
  let brokerId: number;
  let tenants: Tenant[];
  let next = 0;
  const freshTenants = (n: number) => tenants.slice(next, (next += n));

  const createCalls = () =>
    sandboxOf(testApp).requests.filter((r) => r.method === 'POST' && r.path === '/v1/attestations/enhanced');
  const attestationsOf = (tenantIds: number[]) =>
    testApp.app
      .get(DataSource)
      .query(`SELECT * FROM attestations WHERE tenant_id IN (${tenantIds.join(', ')}) ORDER BY id`) as Promise<
      { id: number; tenant_id: number; pc_attestation_id: string; state: string; link: string; emailed_at: unknown }[]
    >;
  const mailsTo = async (address: string) =>
    (await smtp.parsed()).filter((mail) => mail.to && 'text' in mail.to && mail.to.text.includes(address));
  const batchOf = async (id: number) =>
    (
      (await testApp.app.get(DataSource).query(`SELECT * FROM attestation_batches WHERE id = ${id}`)) as {
        status: string;
        summary_sent_at: unknown;
      }[]
    )[0];
  const finished = (id: number) =>
    eventually(async () => ((await batchOf(id)).status === 'finished' ? batchOf(id) : undefined), 50);

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
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    tenants = await seedTenants(
      testApp,
      brokerId,
      Array.from({ length: 60 }, (_, i) => ({ name: `Batch Customer ${String(i).padStart(2, '0')}` })),
    );
  });
  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  it('should confirm once from two tabs and create each row once, email every signatory and the partner once', async () => {
    const chosen = freshTenants(6);
    const batch = await draftBatch(testApp, 'ada@contoso.test', [
      ...chosen.map((tenant, i) => rowFor(tenant, i + 2)),
      rowFor(chosen[0], 8, { status: 'invalid', errors: JSON.stringify({ signatoryEmail: 'Enter a valid email' }) }),
    ]);
    const callsBefore = createCalls().length;
    // Two tabs of the preview, each with its own page's token, confirm at once.
    const [first, second] = await Promise.all([
      postButton(admin, `/attestation-batches/${batch.id}/confirm`),
      postButton(admin, `/attestation-batches/${batch.id}/confirm`),
    ]);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(first.headers.location).toBe(`/attestation-batches/${batch.id}`);
    expect(second.headers.location).toBe(`/attestation-batches/${batch.id}`);
    // A replay later changes nothing either.
    const replay = await postButton(admin, `/attestation-batches/${batch.id}/confirm`);
    expect(replay.headers.location).toBe(`/attestation-batches/${batch.id}`);

    await finished(batch.id);
    const made = await attestationsOf(chosen.map((t) => t.id));
    expect(made).toHaveLength(6);
    expect(new Set(made.map((a) => a.tenant_id)).size).toBe(6);
    expect(createCalls().length - callsBefore).toBe(6);
    const rows = await batchRows(testApp, batch.id);
    expect(rows.map((r) => r.status)).toEqual([
      'created',
      'created',
      'created',
      'created',
      'created',
      'created',
      'invalid',
    ]);
    expect(
      rows
        .slice(0, 6)
        .map((r) => Number(r.attestation_id))
        .sort(),
    ).toEqual(made.map((a) => Number(a.id)).sort());

    const jobs = await testApp.app.get(DataSource).query(`SELECT * FROM jobs WHERE type = 'attestation_batch.run'`);
    expect(jobs.filter((j: { payload: string }) => JSON.parse(j.payload).batchId === batch.id)).toHaveLength(1);
    const confirmed = (await auditEvents(testApp)).filter((e) => e.action === 'attestation_batch.confirmed');
    expect(confirmed).toHaveLength(1);
    expect(JSON.parse(confirmed[0].data)).toMatchObject({
      rows: 7,
      toCreate: 6,
      invalid: 1,
      fileSha256: 'ab'.repeat(32),
    });
    expect(confirmed[0]).toMatchObject({ actor_type: 'user', actor_label: 'ada@contoso.test' });

    for (let i = 0; i < 6; i++) {
      const mails = await eventually(async () => {
        const found = await mailsTo(`signer${i + 2}@customer.test`);
        return found.length > 0 ? found : undefined;
      });
      expect(mails).toHaveLength(1);
      expect(mails[0].subject).toContain('asks you to accept the Microsoft Customer Agreement');
    }
    const summary = await eventually(async () => {
      const found = (await mailsTo('ada@contoso.test')).filter((m) => m.subject?.includes(`batch ${batch.id} `));
      return found.length > 0 ? found : undefined;
    });
    expect(summary[0].subject).toBe(`Attestation batch ${batch.id} sent: 6 links created`);
    // Once: even if the job ran again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await mailsTo('ada@contoso.test')).filter((m) => m.subject?.includes(`batch ${batch.id} `))).toHaveLength(
      1,
    );

    const page = await admin.get(`/attestation-batches/${batch.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<dd data-count="created">6</dd>');
    expect(page.text).toContain('<dd data-count="emailed">6</dd>');
    expect(page.text).toContain('<dd data-count="invalid">1</dd>');
    expect(page.text).not.toContain('hx-trigger="every 2s"');
  });

  it('should send a draft to its preview, and answer another broker or a viewer as it must', async () => {
    const draft = await draftBatch(testApp, 'ada@contoso.test', [rowFor(freshTenants(1)[0], 2)]);
    const page = await admin.get(`/attestation-batches/${draft.id}`);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe(`/attestation-batches/${draft.id}/preview`);

    const otherBroker = await createBroker(testApp, 'Other Partner');
    await createUser(testApp, otherBroker, 'eve@other.test', 'admin');
    const eve = (await signIn(testApp, 'eve@other.test')).agent;
    expect((await eve.get(`/attestation-batches/${draft.id}`)).status).toBe(404);
    expect((await eve.get(`/attestation-batches/${draft.id}/results.csv`)).status).toBe(404);
    expect((await postButton(eve, `/attestation-batches/${draft.id}/confirm`)).status).toBe(404);
    expect((await eve.get('/attestation-batches')).text).not.toContain(`Batch ${draft.id}<`);

    await createUser(testApp, brokerId, 'vic@contoso.test', 'viewer');
    const viewer = (await signIn(testApp, 'vic@contoso.test')).agent;
    expect((await postButton(viewer, `/attestation-batches/${draft.id}/confirm`)).status).toBe(403);
    expect((await batchOf(draft.id)).status).toBe('draft');
    expect((await admin.post(`/attestation-batches/${draft.id}/confirm`).type('form').send({})).status).toBe(403);
    expect((await batchOf(draft.id)).status).toBe('draft');
    expect((await request(testApp.server).get('/attestation-batches/abc')).status).not.toBe(500);
  });
});
