import type { ParsedMail } from 'mailparser';
import { mkdtempSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SqlService } from '../../src/database/sql.service';
import { REPORT_CHUNK_BYTES } from '../../src/reports/report-files';
import { ROOT, startAppProcess, stopAppProcess, type AppProcess } from '../support/app-process';
import { DEFAULT_PASSWORD, postForm, setUpFirstAdmin } from '../support/http';
import { eventually } from '../support/jobs';
import { downloadReport, readCsv } from '../support/report-files';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf } from '../support/tenants';

// Real app processes (`npm run build` must have run) on one PostgreSQL database, each with its own DATA_DIR and
// temporary folder: what several instances behind a load balancer share is the database only. SQLite's database is
// a file in one instance's DATA_DIR, so this runs on PostgreSQL (TEST_DATABASE_URL).
const MAIN = join(ROOT, 'dist', 'main.js');
const TENANTS = 25_000; // about 4 MB of CSV: 17 chunks, attached as it is
const QUIET = { SYNC_INTERVAL_MINUTES: '0', JOB_POLL_MS: '50', JOB_RETRY_BASE_MS: '50', JOB_LEASE_MS: '2000' };

interface Instance {
  app: AppProcess;
  agent: ReturnType<typeof request.agent>;
  dataDir: string;
  tmp: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const partFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('mca-report-'));
// Whether a build is writing its temporary file in `dir` (one may end between the listing and the look).
const writing = (dir: string) =>
  partFiles(dir).some((name) => (statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0) > 0);

(process.env.DATABASE_URL ? describe : describe.skip)('Reports with two app instances on one database', () => {
  const running: AppProcess[] = [];
  let testApp: TestApp;
  let smtp: TestSmtp;
  let sql: SqlService;

  beforeAll(async () => {
    smtp = await startSmtp();
    // The test's own view of the database (migrations, the first admin, the tenants); its worker is off.
    testApp = await createTestApp({ env: { JOB_WORKER: 'off' } });
    await setUpFirstAdmin(testApp);
    sql = testApp.app.get(SqlService);
    const brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    await sql.transaction(
      (tx) => tx.query`
        INSERT INTO tenants (broker_id, microsoft_tenant_id, name, domain, status, directly_signed, created_at, updated_at)
        SELECT ${brokerId}, gen_random_uuid()::text, 'Tenant ' || lpad(i::text, 6, '0'), 'tenant' || i || '.onmicrosoft.com',
               'none', false, now(), now()
          FROM generate_series(1, ${TENANTS}::integer) AS i`,
    );
  });

  afterAll(async () => {
    await Promise.all(running.map((app) => stopAppProcess(app, 'SIGKILL')));
    await testApp.close();
    await smtp.stop();
  });

  async function start(dirs?: { dataDir: string; tmp: string }): Promise<Instance> {
    const dataDir = dirs?.dataDir ?? mkdtempSync(join(tmpdir(), 'mca-instance-'));
    const tmp = dirs?.tmp ?? mkdtempSync(join(tmpdir(), 'mca-instance-tmp-'));
    const port = await freePort();
    const app = startAppProcess(MAIN, {
      ...QUIET,
      DATABASE_URL: process.env.DATABASE_URL!,
      DATA_DIR: dataDir,
      TMPDIR: tmp,
      PORT: String(port),
      SMTP_URL: smtp.url,
    });
    running.push(app);
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      if (app.child.exitCode !== null) throw new Error(`The instance stopped: ${app.output()}`);
      return (await fetch(`${url}/healthz`).catch(() => null))?.ok ? true : undefined;
    }, 100);
    const agent = request.agent(url);
    const signIn = await postForm(agent, '/login', '/login', { email: 'ada@contoso.test', password: DEFAULT_PASSWORD });
    expect(signIn.status).toBe(303);
    return { app, agent, dataDir, tmp };
  }

  const requestReport = async (through: Instance): Promise<number> => {
    const response = await postForm(through.agent, '/reports', '/reports', {
      email: 'ada@contoso.test',
      format: 'csv',
    });
    expect(response.status).toBe(303);
    const [row] = await sql.query<{ id: number }>`SELECT max(id) AS id FROM report_requests`;
    return Number(row.id);
  };
  const stateOf = async (id: number) =>
    (await sql.query<{ state: string }>`SELECT state FROM report_requests WHERE id = ${id}`)[0].state;
  const sentTo = async (count: number): Promise<ParsedMail[]> =>
    eventually(async () => {
      const mails = await smtp.parsed();
      return mails.length >= count ? mails : undefined;
    }, 100);

  it('should download a report built by either instance through both, the same bytes as the email', async () => {
    const a = await start();
    const b = await start();
    const id = await requestReport(a);
    const [mail] = await sentTo(1);
    expect(await stateOf(id)).toBe('sent');

    const fromA = await downloadReport(a.agent, id).expect(200);
    const fromB = await downloadReport(b.agent, id).expect(200);
    expect(fromA.headers['content-disposition']).toMatch(/^attachment; filename="mca-report-[\d-]+\.csv"$/);
    expect(fromB.headers['content-disposition']).toBe(fromA.headers['content-disposition']);
    expect((fromB.body as Buffer).equals(fromA.body as Buffer)).toBe(true);
    expect((fromA.body as Buffer).equals(mail.attachments[0].content)).toBe(true);
    const csv = readCsv(fromB.body as Buffer);
    expect(csv.rows).toHaveLength(TENANTS);
    expect(csv.rows[0][0]).toBe('Tenant 000001');
    expect(csv.rows.at(-1)![0]).toBe(`Tenant ${String(TENANTS).padStart(6, '0')}`);
    for (const instance of [a, b]) {
      expect(readdirSync(instance.dataDir)).not.toContain('reports');
      expect(partFiles(instance.tmp)).toEqual([]);
    }
    await Promise.all([a, b].map((instance) => stopAppProcess(instance.app)));
  }, 180_000);

  it('should finish a report whose build was killed (-9) on the other instance: one email, a complete file', async () => {
    const a = await start();
    const b = await start();
    const mailsBefore = (await smtp.parsed()).length;
    const id = await requestReport(b);

    // Killed while writing its temporary file: whichever instance's worker took the job.
    const builder = await eventually(() => [a, b].find((instance) => writing(instance.tmp)), 5);
    builder.app.child.kill('SIGKILL');
    await builder.app.exited;
    const survivor = builder === a ? b : a;
    expect(await stateOf(id)).toBe('running');
    await downloadReport(survivor.agent, id).expect(404);
    const [left] = partFiles(builder.tmp);
    expect(left).toMatch(new RegExp(`^mca-report-${builder.app.child.pid}-${id}-`));
    // Chunks of an interrupted copy, as a kill during the store would leave them: the retry replaces them.
    await sql.transaction(
      (tx) => tx.query`
        INSERT INTO report_file_chunks (request_id, seq, bytes)
        SELECT ${id}, s, ${Buffer.from('left behind')} FROM generate_series(0, 99) AS s ON CONFLICT DO NOTHING`,
    );

    const mails = await sentTo(mailsBefore + 1);
    expect(await stateOf(id)).toBe('sent');
    const file = await downloadReport(survivor.agent, id).expect(200);
    expect((file.body as Buffer).equals(mails[mailsBefore].attachments[0].content)).toBe(true);
    expect(readCsv(file.body as Buffer).rows).toHaveLength(TENANTS);
    const [{ n }] = await sql.query<{
      n: string;
    }>`SELECT count(*) AS n FROM report_file_chunks WHERE request_id = ${id}`;
    expect(Number(n)).toBe(Math.ceil((file.body as Buffer).length / REPORT_CHUNK_BYTES));
    // A while later, still one email.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await smtp.parsed()).toHaveLength(mailsBefore + 1);

    // The killed build's temporary file is removed when an instance starts on that machine an hour later.
    const leftPath = join(builder.tmp, left);
    const hourAgo = new Date(Date.now() - 3_600_000 - 60_000);
    utimesSync(leftPath, hourAgo, hourAgo);
    const restarted = await start({ dataDir: builder.dataDir, tmp: builder.tmp });
    expect(partFiles(builder.tmp)).toEqual([]);
    await downloadReport(restarted.agent, id).expect(200);
    await Promise.all([survivor, restarted].map((instance) => stopAppProcess(instance.app)));
  }, 180_000);
});
