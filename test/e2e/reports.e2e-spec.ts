import type { ParsedMail } from 'mailparser';
import { readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { SqlService } from '../../src/database/sql.service';
import { REPORT_COLUMNS } from '../../src/reports/report-columns';
import { ReportPruneHandler } from '../../src/reports/report-prune.handler';
import { TENANT_STATUS_LABELS, TENANT_STATUSES, type TenantStatus } from '../../src/tenants/tenant-status';
import { auditEvents } from '../support/audit';
import { createUser, csrfTokenFrom, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { readCsv, readXlsx } from '../support/report-files';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, createBroker, seedTenants, type TenantSeed } from '../support/tenants';

const TRICKY = 'Comma, "Quotes" and\na new line AB';
const FORMULA = '=cmd|" /C calc"!A0';

async function countRows(testApp: TestApp, table: string): Promise<number> {
  const [row] = await testApp.app.get(SqlService).run<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`, []);
  return Number(row.n);
}

describe('MCA reports', () => {
  let testApp: TestApp;
  let smtp: TestSmtp;
  let admin: ReturnType<typeof request.agent>;
  let brokerId: number;
  let tenants: { name: string; microsoftTenantId: string; status: TenantStatus; id: number }[];

  const mailTo = async (address: string, count = 1): Promise<ParsedMail[]> =>
    eventually(async () => {
      const mails = (await smtp.parsed()).filter((m) => m.to && 'text' in m.to && m.to.text === address);
      return mails.length >= count ? mails : undefined;
    });

  beforeAll(async () => {
    smtp = await startSmtp();
    // "A few MB" lowered to 100 KB, so that the report of 1,205 tenants (about 200 KB) goes gzip-compressed.
    testApp = await createTestApp({ env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url, REPORT_GZIP_OVER_BYTES: '100000' } });
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    // Reports to colleagues' addresses (report-recipients.e2e-spec covers the rule itself).
    await postForm(admin, '/settings/reports', '/settings/reports', { recipientDomains: 'contoso.test' });
    const seeds: TenantSeed[] = Array.from({ length: 1203 }, (_, i) => ({ status: TENANT_STATUSES[i % 4] }));
    seeds.push({ name: TRICKY, status: 'pending' }, { name: FORMULA, status: 'none' });
    tenants = (await seedTenants(testApp, brokerId, seeds)).sort((a, b) => a.id - b.id);
  });

  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  it('should offer the report in a menu of the MCA page, with the page filter for the form', async () => {
    const page = await admin.get('/mca?status=none&q=tenant').expect(200);
    expect(page.text).toContain('Reports menu');
    const link = /href="([^"]*)"[^>]*data-report-dialog/.exec(page.text)?.[1];
    expect(link?.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')).toBe('/reports?status=none&q=tenant');
    expect(page.text).toContain('href="/reports/schedules">Scheduled reports');
    const form = await admin.get('/reports?status=none&q=tenant').expect(200);
    expect(form.text).toContain('value="ada@contoso.test"');
    expect(form.text).toContain('Only the current filter: Status “No acceptance provided”, matching “tenant”');
    expect(form.text).toContain('Email me the report when ready');
  });

  it('should email every tenant as a gzip-compressed CSV attachment that matches the database, and offer its download', async () => {
    const response = await postForm(admin, '/reports', '/reports', {
      email: 'ada@contoso.test',
      format: 'csv',
      scope: 'all',
    });
    expect(response.status).toBe(303);
    const after = await admin.get('/reports').expect(200);
    expect(after.text).toContain('We will email the report to ada@contoso.test when it is ready.');

    const [mail] = await mailTo('ada@contoso.test');
    expect(mail.subject).toBe('Your MCA report is ready: 1,205 tenants (CSV)');
    expect(mail.attachments).toHaveLength(1);
    const [attachment] = mail.attachments;
    expect(attachment.filename).toMatch(/^mca-report-\d{4}-\d{2}-\d{2}\.csv\.gz$/);
    expect(attachment.contentType).toBe('application/gzip');
    const content = gunzipSync(attachment.content);
    expect(attachment.content.length).toBeLessThan(content.length / 2);
    const csv = readCsv(content);
    expect(csv.bom).toBe(true);
    expect(csv.header).toEqual(REPORT_COLUMNS.map((c) => c.header));
    expect(csv.rows.map((r) => [r[0], r[1], r[3]])).toEqual(
      tenants.map((t) => [
        t.name === FORMULA ? `'${FORMULA}` : t.name,
        t.microsoftTenantId,
        TENANT_STATUS_LABELS[t.status],
      ]),
    );
    for (const status of TENANT_STATUSES)
      expect(csv.rows.filter((r) => r[3] === TENANT_STATUS_LABELS[status])).toHaveLength(
        tenants.filter((t) => t.status === status).length,
      );

    const recent = await eventually(async () => {
      const page = await admin.get('/reports/recent').expect(200);
      return page.text.includes('data-state="sent"') ? page.text : undefined;
    });
    const href = /href="(\/reports\/\d+\/download)"/.exec(recent)?.[1];
    expect(href).toBeDefined();
    const download = await admin
      .get(href!)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(download.headers['content-type']).toContain('text/csv');
    expect(download.headers['content-disposition']).toMatch(/attachment; filename="mca-report-.*\.csv"/);
    expect(Buffer.from(download.body as Buffer).equals(content)).toBe(true);

    const [requested] = await auditEvents(testApp, 'report.requested');
    expect(JSON.parse(requested.data)).toMatchObject({ email: 'ada@contoso.test', format: 'csv' });
    expect(await auditEvents(testApp, 'report.sent')).toHaveLength(1);
  });

  it("should record the report's build on /metrics, as the report bench measures it", async () => {
    const text = (await request(testApp.server).get('/metrics').expect(200)).text;
    // The one report built so far: the CSV of every tenant above.
    const sample = (name: string) => Number(new RegExp(`^${name}(?:\\{format="csv"\\})? (\\S+)$`, 'm').exec(text)?.[1]);
    expect(sample('mca_report_build_cpu_seconds_count')).toBe(1);
    expect(sample('mca_report_build_cpu_seconds_sum')).toBeGreaterThan(0);
    expect(sample('mca_report_build_seconds_count')).toBe(1);
    expect(sample('mca_report_rows_sum')).toBe(tenants.length);
    expect(sample('mca_report_count_seconds_count')).toBe(1);
    expect(sample('mca_report_build_peak_rss_bytes')).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('should apply the page filter and write XLSX when asked', async () => {
    const response = await postForm(admin, '/reports', '/reports', {
      email: 'filtered@contoso.test',
      format: 'xlsx',
      scope: 'filtered',
      status: 'pending',
      q: '',
    });
    expect(response.status).toBe(303);
    const [mail] = await mailTo('filtered@contoso.test');
    const xlsx = await readXlsx(mail.attachments[0].content);
    const pending = tenants.filter((t) => t.status === 'pending');
    expect(xlsx.rows.map((r) => r[1])).toEqual(pending.map((t) => t.microsoftTenantId));
    expect(xlsx.rows.map((r) => r[0])).toContain(TRICKY);
    expect(new Set(xlsx.rows.map((r) => r[3]))).toEqual(new Set([TENANT_STATUS_LABELS.pending]));
    expect(xlsx.frozen).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it.each([
    [{ email: 'not-an-address', format: 'csv' }, 'Enter a valid email address, like name@example.com'],
    [{ email: 'a@b.c\r\nBcc: x@y.z', format: 'csv' }, 'An email address cannot contain a line break'],
    [{ email: 'a@b.test, c@d.test', format: 'csv' }, 'Enter one email address only'],
    [{ email: 'ada@contoso.test', format: 'pdf' }, 'Choose a format: CSV or XLSX'],
    [
      { email: 'ada@contoso.test', format: 'csv', scope: 'filtered', status: 'bogus' },
      'That status filter does not exist',
    ],
  ])('should refuse %j with a message next to the field and queue nothing', async (fields, message) => {
    const before = [await countRows(testApp, 'report_requests'), await countRows(testApp, 'jobs')];
    const response = await postForm(admin, '/reports', '/reports', fields as Record<string, string>);
    expect(response.status).toBe(422);
    expect(response.text).toContain(message);
    expect(response.text).toContain('aria-invalid="true"');
    expect([await countRows(testApp, 'report_requests'), await countRows(testApp, 'jobs')]).toEqual(before);
  });

  it("should answer 404 for another broker's report, and another user's", async () => {
    const [own] = await testApp.app.get(SqlService).query<{
      id: number;
    }>`SELECT id FROM report_requests WHERE state = ${'sent'} ORDER BY id LIMIT 1`;
    const otherBroker = await createBroker(testApp, 'Other Partner');
    await createUser(testApp, otherBroker, 'eve@other.test', 'admin');
    const eve = (await signIn(testApp, 'eve@other.test')).agent;
    const missing = await eve.get(`/reports/${own.id}/download`).expect(404);
    expect(missing.text).toContain('That report does not exist, is not yours, or is older than 7 days.');
    await createUser(testApp, brokerId, 'olle@contoso.test', 'operator');
    const olle = (await signIn(testApp, 'olle@contoso.test')).agent;
    await olle.get(`/reports/${own.id}/download`).expect(404);
    await admin.get('/reports/999999/download').expect(404);
    await admin.get('/reports/abc/download').expect(404);
  });

  it('should let a viewer request a report for themselves but not see or change schedules', async () => {
    await createUser(testApp, brokerId, 'vera@contoso.test', 'viewer');
    const vera = (await signIn(testApp, 'vera@contoso.test')).agent;
    const mca = await vera.get('/mca').expect(200);
    expect(mca.text).toContain('Generate MCA report');
    expect(mca.text).not.toContain('Scheduled reports');
    const response = await postForm(vera, '/reports', '/reports', { email: 'vera@contoso.test', format: 'csv' });
    expect(response.status).toBe(303);
    await mailTo('vera@contoso.test');
    await vera.get('/reports/schedules').expect(403);
    const page = await vera.get('/reports');
    await vera
      .post('/reports/schedules')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), name: 'x' })
      .expect(403);
  });
});

describe('MCA reports larger than the attachment limit', () => {
  let testApp: TestApp;
  let smtp: TestSmtp;

  beforeAll(async () => {
    smtp = await startSmtp();
    testApp = await createTestApp({
      env: {
        ...FAST_JOBS_ENV,
        SMTP_URL: smtp.url,
        REPORT_ATTACH_MAX_BYTES: '1000',
        PUBLIC_URL: 'https://mca.example.test',
      },
    });
  });

  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  it('should link to the download instead of attaching, and delete the stored file and the row after 7 days', async () => {
    const admin = (await setUpFirstAdmin(testApp)).agent;
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    await seedTenants(
      testApp,
      brokerId,
      Array.from({ length: 50 }, () => ({ status: 'none' as const })),
    );
    expect((await postForm(admin, '/reports', '/reports', { email: 'ada@contoso.test', format: 'xlsx' })).status).toBe(
      303,
    );
    const [mail] = await eventually(async () => {
      const mails = await smtp.parsed();
      return mails.length > 0 ? mails : undefined;
    });
    expect(mail.attachments).toHaveLength(0);
    const link = /https:\/\/mca\.example\.test(\/reports\/\d+\/download)/.exec(mail.text ?? '');
    expect(link).not.toBeNull();
    const file = await admin
      .get(link![1])
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect((await readXlsx(file.body as Buffer)).rows).toHaveLength(50);

    const prune = testApp.app.get(ReportPruneHandler);
    await expect(prune.prune(new Date(Date.now() + 6 * 24 * 3_600_000))).resolves.toBe(0);
    expect(await countRows(testApp, 'report_file_chunks')).toBeGreaterThan(0);
    await expect(prune.prune(new Date(Date.now() + 7 * 24 * 3_600_000 + 60_000))).resolves.toBe(1);
    expect(await countRows(testApp, 'report_requests')).toBe(0);
    expect(await countRows(testApp, 'report_file_chunks')).toBe(0);
    expect(readdirSync(testApp.dataDir)).not.toContain('reports');
    await admin.get(link![1]).expect(404);
  });
});
