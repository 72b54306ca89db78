import type { ParsedMail } from 'mailparser';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import request from 'supertest';
import { SqlService } from '../../src/database/sql.service';
import { REPORT_CHUNK_BYTES, ReportFiles } from '../../src/reports/report-files';
import { auditEvents } from '../support/audit';
import { postForm, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { downloadReport as download, readCsv } from '../support/report-files';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, seedTenants } from '../support/tenants';

const TENANTS = 4000; // about 600 KB of CSV: several chunks

// What a write on a full disk throws (the file writer's ENOSPC; SQLite's and PostgreSQL's carry their own codes).
const noSpace = () =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

describe('Report files stored in the database', () => {
  let testApp: TestApp;
  let smtp: TestSmtp;
  let admin: ReturnType<typeof request.agent>;
  let sql: SqlService;

  beforeAll(async () => {
    smtp = await startSmtp();
    // Retries a second or two apart: long enough to see a failed attempt's state before the next one starts.
    testApp = await createTestApp({ env: { ...FAST_JOBS_ENV, JOB_RETRY_BASE_MS: '2000', SMTP_URL: smtp.url } });
    admin = (await setUpFirstAdmin(testApp)).agent;
    await seedTenants(
      testApp,
      await brokerIdOf(testApp, 'ada@contoso.test'),
      Array.from({ length: TENANTS }, () => ({ status: 'none' as const })),
    );
    sql = testApp.app.get(SqlService);
  });

  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  afterEach(() => jest.restoreAllMocks());

  const requestReport = async (): Promise<number> => {
    expect((await postForm(admin, '/reports', '/reports', { email: 'ada@contoso.test', format: 'csv' })).status).toBe(
      303,
    );
    const [row] = await sql.query<{ id: number }>`SELECT max(id) AS id FROM report_requests`;
    return Number(row.id);
  };
  const reportRow = async (id: number) =>
    (
      await sql.query<{ state: string; error: string | null; file_size: number | null }>`
        SELECT state, error, file_size FROM report_requests WHERE id = ${id}`
    )[0];
  const chunks = (id: number) =>
    sql.query<{ seq: number; size: number | string }>`
      SELECT seq, length(bytes) AS size FROM report_file_chunks WHERE request_id = ${id} ORDER BY seq`;
  // This process's temporary files of the request (the app runs in the test's process).
  const tempFiles = (id: number) =>
    readdirSync(tmpdir()).filter((n) => n.startsWith(`mca-report-${process.pid}-${id}-`));
  const mails = async (count: number): Promise<ParsedMail[]> =>
    eventually(async () => {
      const parsed = await smtp.parsed();
      return parsed.length >= count ? parsed : undefined;
    });

  // SQLite's own full disk: a database that may grow only a few pages more (max_page_count, per connection: the
  // write connection's) refuses the report's chunks with SQLITE_FULL, as a full disk would.
  (process.env.DATABASE_URL ? it.skip : it)(
    'should say the disk is full when SQLite finds it so, and send the report once it may grow again',
    async () => {
      const [{ page_count: pages }] = await sql.transaction((tx) =>
        tx.run<{ page_count: number }>('PRAGMA page_count', []),
      );
      await sql.transaction((tx) => tx.run(`PRAGMA max_page_count = ${Number(pages) + 40}`, []));
      const id = await requestReport();
      const failed = await eventually(async () => {
        const row = await reportRow(id);
        return row.error ? row : undefined;
      });
      expect(failed.error).toBe(
        "The report could not be stored, as the server's disk is full: nothing of it was kept (trying again)",
      );
      expect(await chunks(id)).toEqual([]);
      await sql.transaction((tx) => tx.run('PRAGMA max_page_count = 1073741823', []));
      await mails(1);
      await eventually(async () => ((await reportRow(id)).state === 'sent' ? true : undefined));
      expect(readCsv((await download(admin, id).expect(200)).body as Buffer).rows).toHaveLength(TENANTS);
    },
  );

  it('should keep a sent report in the database in chunks and stream its download from them, no file on disk', async () => {
    const before = (await smtp.parsed()).length;
    const id = await requestReport();
    const mail = (await mails(before + 1))[before];
    const stored = await chunks(id);
    const { file_size: size } = await reportRow(id);
    expect(stored.map((c) => Number(c.seq))).toEqual(stored.map((_, i) => i));
    expect(stored.length).toBe(Math.ceil(size! / REPORT_CHUNK_BYTES));
    expect(stored.length).toBeGreaterThan(1);
    expect(stored.slice(0, -1).every((c) => Number(c.size) === REPORT_CHUNK_BYTES)).toBe(true);
    expect(stored.reduce((sum, c) => sum + Number(c.size), 0)).toBe(size);

    const file = await download(admin, id).expect(200);
    expect(file.headers['content-type']).toContain('text/csv');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="mca-report-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(file.headers['cache-control']).toBe('private, no-store');
    expect(Number(file.headers['content-length'])).toBe(size);
    expect((file.body as Buffer).equals(mail.attachments[0].content)).toBe(true);
    expect(readCsv(file.body as Buffer).rows).toHaveLength(TENANTS);
    expect(readdirSync(testApp.dataDir)).not.toContain('reports');
    expect(tempFiles(id)).toEqual([]);
  });

  it('should say the disk is full, keep nothing of the attempt, and send the report once there is room again', async () => {
    const files = testApp.app.get(ReportFiles);
    const write = files.writeChunk.bind(files);
    let full = true;
    let storedWhenFull = 0;
    jest.spyOn(files, 'writeChunk').mockImplementation(async (requestId, seq, chunk) => {
      if (!full || seq === 0) return write(requestId, seq, chunk);
      storedWhenFull = (await chunks(requestId)).length;
      throw noSpace();
    });
    const before = (await smtp.parsed()).length;
    const id = await requestReport();

    const failed = await eventually(async () => {
      const row = await reportRow(id);
      return row.state === 'queued' && row.error ? row : undefined;
    });
    expect(failed.error).toBe(
      "The report could not be stored, as the server's disk is full: nothing of it was kept (trying again)",
    );
    expect(storedWhenFull).toBe(1);
    // The job retries at once (fast jobs): a later attempt may be under way, with its own first chunk and file. What
    // the failed attempt wrote is gone once no attempt runs.
    await eventually(async () => ((await chunks(id)).length === 0 && tempFiles(id).length === 0 ? true : undefined));
    await download(admin, id).expect(404);
    const recent = await admin.get('/reports/recent').expect(200);
    expect(recent.text).toContain('the server&#x27;s disk is full: nothing of it was kept (trying again)');

    full = false;
    const sent = await mails(before + 1);
    expect(sent).toHaveLength(before + 1);
    const row = await eventually(async () => {
      const r = await reportRow(id);
      return r.state === 'sent' ? r : undefined;
    });
    expect(row.error).toBeNull();
    const file = await download(admin, id).expect(200);
    expect((file.body as Buffer).equals(sent[before].attachments[0].content)).toBe(true);
    expect(readCsv(file.body as Buffer).rows).toHaveLength(TENANTS);
    expect(tempFiles(id)).toEqual([]);
  });

  it('should fail for good with the reason after its last attempt on a full disk, and take reports again after', async () => {
    const files = testApp.app.get(ReportFiles);
    const write = files.writeChunk.bind(files);
    let full = true;
    jest.spyOn(files, 'writeChunk').mockImplementation(async (requestId, seq, chunk) => {
      if (full) throw noSpace();
      return write(requestId, seq, chunk);
    });
    const before = (await smtp.parsed()).length;
    const id = await requestReport();
    const row = await eventually(async () => {
      const r = await reportRow(id);
      return r.state === 'failed' ? r : undefined;
    }, 100);
    expect(row.error).toBe("The report could not be stored, as the server's disk is full: nothing of it was kept");
    const recent = await admin.get('/reports/recent').expect(200);
    expect(recent.text).toMatch(
      new RegExp(`id="report-${id}" data-state="failed">[\\s\\S]*?Failed[\\s\\S]*?the server&#x27;s disk is full`),
    );
    await download(admin, id).expect(404);
    expect(await chunks(id)).toEqual([]);
    expect(tempFiles(id)).toEqual([]);
    expect((await auditEvents(testApp, 'report.failed')).map((e) => JSON.parse(e.data) as { reason: string })).toEqual([
      expect.objectContaining({ reason: row.error }),
    ]);
    expect(await smtp.parsed()).toHaveLength(before);

    full = false;
    const next = await requestReport();
    await mails(before + 1);
    await download(admin, next).expect(200);
  }, 60_000);
});
