import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { auditEvents } from '../support/audit';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { POLL_JOB } from '../../src/attestations/attestation-jobs';
import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { sandboxOf } from '../support/attestations';
import { gate } from '../support/sandbox';
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

  const confirm = async (batchId: number) => {
    const confirmed = await postButton(admin, `/attestation-batches/${batchId}/confirm`);
    expect(confirmed.status).toBe(303);
  };
  const rowStatuses = async (batchId: number) => (await batchRows(testApp, batchId)).map((r) => r.status);
  // Creates held in flight at Partner Center until the gate opens.
  const holdCreates = () => {
    const held = gate();
    sandboxOf(testApp).faults.add({
      method: 'POST',
      path: '/v1/attestations/enhanced',
      holdUntil: held.held,
      times: Infinity,
    });
    return () => {
      sandboxOf(testApp).faults.clear();
      held.open();
    };
  };
  // Four rows (BULK_ROWS_AT_ONCE) taken, and their four requests arrived at Partner Center.
  const fourInFlight = async (batchId: number, callsBefore: number) => {
    await eventually(async () =>
      (await rowStatuses(batchId)).filter((s) => s === 'sending').length === 4 ? true : undefined,
    );
    await eventually(() => (createCalls().length - callsBefore === 4 ? true : undefined));
  };
  const download = (url: string) =>
    admin
      .get(url)
      .buffer(true)
      .parse((res, callback) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => callback(null, Buffer.concat(chunks)));
      });
  // What the recurring poll does on its next round, asked for now.
  const pollNow = () =>
    testApp.app.get(SqlService).transaction(async (tx) => {
      await tx.query`UPDATE attestations SET next_poll_at = NULL`;
      return testApp.app.get(JobQueue).enqueue(tx, POLL_JOB, {});
    });

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

  it('should pause (rows in flight finish, no other is sent) and resume, with an audit event each', async () => {
    const chosen = freshTenants(8);
    const batch = await draftBatch(
      testApp,
      'ada@contoso.test',
      chosen.map((tenant, i) => rowFor(tenant, i + 2)),
    );
    const release = holdCreates();
    const callsAtStart = createCalls().length;
    await confirm(batch.id);
    await fourInFlight(batch.id, callsAtStart);
    const paused = await postButton(
      admin,
      `/attestation-batches/${batch.id}/pause`,
      `/attestation-batches/${batch.id}`,
    );
    expect(paused.status).toBe(303);
    const callsAtPause = createCalls().length;
    release();
    await eventually(async () => ((await rowStatuses(batch.id)).includes('sending') ? undefined : true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await rowStatuses(batch.id)).toEqual([...Array(4).fill('created'), ...Array(4).fill('pending')]);
    expect(createCalls().length).toBe(callsAtPause);
    const page = await admin.get(`/attestation-batches/${batch.id}`);
    expect(page.text).toContain('<strong>Paused</strong>');
    expect(page.text).toContain('>Resume</button>');
    // A second pause (another tab) says why nothing changed.
    const again = await postButton(admin, `/attestation-batches/${batch.id}/pause`, `/attestation-batches/${batch.id}`);
    expect(again.status).toBe(303);
    expect((await admin.get(`/attestation-batches/${batch.id}`)).text).toContain('Only a running batch can be paused.');

    await postButton(admin, `/attestation-batches/${batch.id}/resume`, `/attestation-batches/${batch.id}`);
    await finished(batch.id);
    expect(await rowStatuses(batch.id)).toEqual(Array(8).fill('created'));
    expect(await attestationsOf(chosen.map((t) => t.id))).toHaveLength(8);
    const actions = (await auditEvents(testApp))
      .filter((e) => e.subject_type === 'attestation_batch' && e.subject_id === String(batch.id))
      .map((e) => e.action);
    expect(actions).toEqual([
      'attestation_batch.confirmed',
      'attestation_batch.paused',
      'attestation_batch.resumed',
      'attestation_batch.finished',
    ]);
  });

  it('should cancel: the rows not yet sent are never sent, those in flight finish, and no summary is sent', async () => {
    const chosen = freshTenants(7);
    const batch = await draftBatch(
      testApp,
      'ada@contoso.test',
      chosen.map((tenant, i) => rowFor(tenant, i + 2)),
    );
    const release = holdCreates();
    const callsAtStart = createCalls().length;
    await confirm(batch.id);
    await fourInFlight(batch.id, callsAtStart);
    const callsAtCancel = createCalls().length;
    const cancelled = await postButton(
      admin,
      `/attestation-batches/${batch.id}/cancel`,
      `/attestation-batches/${batch.id}`,
    );
    expect(cancelled.status).toBe(303);
    release();
    await eventually(async () => ((await rowStatuses(batch.id)).includes('sending') ? undefined : true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await rowStatuses(batch.id)).toEqual([...Array(4).fill('created'), ...Array(3).fill('cancelled')]);
    expect(createCalls().length).toBe(callsAtCancel);
    expect(await batchOf(batch.id)).toMatchObject({ status: 'cancelled', summary_sent_at: null });
    const page = await admin.get(`/attestation-batches/${batch.id}`);
    expect(page.text).toContain('<dd data-count="cancelled">3</dd>');
    expect(page.text).not.toContain('>Resume</button>');
    expect(page.text).not.toContain('>Pause</button>');
    expect((await auditEvents(testApp, 'attestation_batch.cancelled')).at(-1)?.data).toContain('"cancelledRows":3');
  });

  it("should wait as long as Partner Center's Retry-After asks, then send every row once", async () => {
    const chosen = freshTenants(3);
    const batch = await draftBatch(
      testApp,
      'ada@contoso.test',
      chosen.map((tenant, i) => rowFor(tenant, i + 2)),
    );
    // Every attempt of the client's refused: the batch itself must wait.
    sandboxOf(testApp).faults.add({
      method: 'POST',
      path: '/v1/attestations/enhanced',
      status: 429,
      retryAfterSeconds: 2,
      times: 4 * 3,
    });
    const before = createCalls().length;
    await confirm(batch.id);
    await eventually(async () => (sandboxOf(testApp).faults.pending === 0 ? true : undefined), 20);
    const refusedAt = Date.now();
    await finished(batch.id);
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(1500);
    expect(await rowStatuses(batch.id)).toEqual(Array(3).fill('created'));
    expect(await attestationsOf(chosen.map((t) => t.id))).toHaveLength(3);
    // 12 refused, then one that succeeded per row.
    expect(createCalls().length - before).toBe(12 + 3);
  });

  it('should give a result file of every row, neutralised, with the status as the customer accepts', async () => {
    const [accepting, other, refused] = freshTenants(3);
    const batch = await draftBatch(testApp, 'ada@contoso.test', [
      rowFor(accepting, 2, { signatoryFirstName: '=HYPERLINK("http://evil.test","x")', companyName: '+Contoso' }),
      rowFor(other, 3, { signatoryLastName: '@SUM(A1)' }),
      rowFor(refused, 4, { status: 'invalid', errors: JSON.stringify({ country: 'Choose a country from the list' }) }),
    ]);
    await confirm(batch.id);
    await finished(batch.id);
    const [made] = await attestationsOf([accepting.id]);
    sandboxOf(testApp).acceptAttestation(made.pc_attestation_id);
    await pollNow();
    await eventually(async () => ((await attestationsOf([accepting.id]))[0].state === 'accepted' ? true : undefined));

    const page = await admin.get(`/attestation-batches/${batch.id}`);
    expect(page.text).toContain('<dd data-count="accepted">1</dd>');
    expect(page.text).toContain('<dd data-count="finalized">0</dd>');

    const csv = await download(`/attestation-batches/${batch.id}/results.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="attestation-batch-${batch.id}-results.csv"`);
    const records = parse((csv.body as Buffer).toString('utf8'), { bom: true }) as string[][];
    expect(records[0]).toEqual([
      'Row',
      'Microsoft tenant ID',
      'Company',
      'Signatory first name',
      'Signatory last name',
      'Signatory email',
      'Attestation ID',
      'Acceptance link',
      'Status',
      'Error',
    ]);
    expect(records).toHaveLength(4);
    expect(records[1].slice(0, 4)).toEqual([
      '2',
      accepting.microsoftTenantId,
      "'+Contoso",
      '\'=HYPERLINK("http://evil.test","x")',
    ]);
    expect(records[1][6]).toBe(String(made.id));
    expect(records[1][7]).toBe(made.link);
    expect(records[1][8]).toBe('Ready to finalize');
    expect(records[2][4]).toBe("'@SUM(A1)");
    expect(records[2][8]).toBe('Awaiting acceptance');
    expect(records[3].slice(6)).toEqual(['', '', 'Not sent: invalid', 'Choose a country from the list']);

    const xlsx = await download(`/attestation-batches/${batch.id}/results.xlsx`);
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getRow(2).getCell(4).value).toBe('\'=HYPERLINK("http://evil.test","x")');
    expect(sheet.getRow(2).getCell(9).value).toBe('Ready to finalize');
    expect(sheet.getRow(2).getCell(8).value).toBe(made.link);
  });
});
