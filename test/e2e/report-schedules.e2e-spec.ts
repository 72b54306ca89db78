import type { ParsedMail } from 'mailparser';
import { runForBroker } from '../../src/common/request-context';
import { SqlService } from '../../src/database/sql.service';
import { ReportSchedulesService, type ScheduleInput } from '../../src/reports/report-schedules.service';
import { TENANT_STATUS_LABELS } from '../../src/tenants/tenant-status';
import { auditEvents } from '../support/audit';
import { postForm, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { readCsv } from '../support/report-files';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, seedTenants } from '../support/tenants';

const WEEKLY: Record<string, string> = {
  name: 'Weekly to sales',
  frequency: 'weekly',
  weekday: '1',
  dayOfMonth: '1',
  time: '07:00',
  timeZone: 'Europe/Stockholm',
  recipients: 'sales@contoso.test\nboss@contoso.test',
  format: 'csv',
  status: 'none',
};

interface RequestRow {
  id: number;
  schedule_id: number;
  due_at: unknown;
  email: string;
}

describe('Scheduled reports', () => {
  let smtp: TestSmtp;
  let testApp: TestApp;
  let brokerId: number;
  let adminId: number;
  let admin: Awaited<ReturnType<typeof setUpFirstAdmin>>['agent'];

  const requestsOf = async (app: TestApp, scheduleId: number) => {
    const sql = app.app.get(SqlService);
    const rows = await sql.run<RequestRow>(
      `SELECT id, schedule_id, due_at, email FROM report_requests WHERE schedule_id = ${sql.dialect.placeholder(1)} ORDER BY id`,
      [scheduleId],
    );
    return rows.map((r) => sql.dialect.decodeTimestamp(r.due_at)!.toISOString());
  };

  // The service as an admin of the broker, with the clock given.
  const create = (app: TestApp, input: ScheduleInput, now: Date) =>
    runForBroker(brokerId, () =>
      app.app
        .get(ReportSchedulesService)
        .create(
          { id: adminId, brokerId, brokerName: 'Contoso Cloud', email: 'ada@contoso.test', name: 'Ada', role: 'admin' },
          input,
          now,
        ),
    );

  beforeAll(async () => {
    smtp = await startSmtp();
    testApp = await createTestApp({ env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url } });
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    // Schedules to colleagues' addresses (report-recipients.e2e-spec covers the rule itself).
    await postForm(admin, '/settings/reports', '/settings/reports', { recipientDomains: 'contoso.test' });
    adminId = (
      await testApp.app.get(SqlService).query<{ id: number }>`SELECT id FROM users WHERE email = ${'ada@contoso.test'}`
    )[0].id;
    await seedTenants(testApp, brokerId, [
      { name: 'Alpha AB', status: 'none' },
      { name: 'Beta AB', status: 'direct' },
      { name: 'Gamma AB', status: 'none' },
    ]);
  });

  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  const mailsTo = (address: string, count: number, subject: string): Promise<ParsedMail[]> =>
    eventually(async () => {
      const mails = (await smtp.parsed()).filter(
        (m) => m.to && 'text' in m.to && m.to.text === address && m.subject?.includes(subject),
      );
      return mails.length >= count ? mails : undefined;
    });

  const countSchedules = async () =>
    Number(
      (await testApp.app.get(SqlService).run<{ n: number }>('SELECT count(*) AS n FROM report_schedules', []))[0].n,
    );

  it('should let an admin create a schedule and list its next run in its zone', async () => {
    const response = await postForm(admin, '/reports/schedules/new', '/reports/schedules', WEEKLY);
    expect(response.status).toBe(303);
    const list = await admin.get('/reports/schedules').expect(200);
    expect(list.text).toContain('The schedule “Weekly to sales” is saved.');
    expect(list.text).toContain('Every Monday at 07:00 Europe/Stockholm');
    expect(list.text).toMatch(/Mon \d{1,2} \w{3} \d{4}, 07:00 \(Europe\/Stockholm\)/);
    expect(list.text).toContain('Not run yet');
    const [created] = await auditEvents(testApp, 'report_schedule.created');
    expect(JSON.parse(created.data)).toMatchObject({ name: 'Weekly to sales', timeZone: 'Europe/Stockholm' });

    const id = /\/reports\/schedules\/(\d+)\/edit/.exec(list.text)![1];
    const edit = await admin.get(`/reports/schedules/${id}/edit`).expect(200);
    expect(edit.text).toContain('value="Weekly to sales"');
    expect((await postForm(admin, '/reports/schedules', `/reports/schedules/${id}/pause`, {})).status).toBe(303);
    expect((await admin.get('/reports/schedules')).text).toContain('Paused');
    expect((await postForm(admin, '/reports/schedules', `/reports/schedules/${id}/resume`, {})).status).toBe(303);
    const changed = await postForm(admin, `/reports/schedules/${id}/edit`, `/reports/schedules/${id}`, {
      ...WEEKLY,
      name: 'Weekly to all of sales',
    });
    expect(changed.status).toBe(303);
    expect((await admin.get('/reports/schedules')).text).toContain('Weekly to all of sales');
    expect((await postForm(admin, '/reports/schedules', `/reports/schedules/${id}/delete`, {})).status).toBe(303);
    expect((await admin.get('/reports/schedules')).text).toContain('No scheduled reports yet.');
    expect((await auditEvents(testApp)).map((e) => e.action).filter((a) => a.startsWith('report_schedule.'))).toEqual([
      'report_schedule.created',
      'report_schedule.paused',
      'report_schedule.resumed',
      'report_schedule.updated',
      'report_schedule.deleted',
    ]);
    await admin.get('/reports/schedules/999999/edit').expect(404);
  });

  it.each([
    [{ timeZone: 'Mars/Olympus_Mons' }, 'Unknown time zone “Mars/Olympus_Mons”'],
    [{ recipients: 'sales@contoso.test\nnot-an-address' }, 'not-an-address: Enter a valid email address'],
    [{ recipients: 'a@b.c\r\nBcc: x@y.z' }, 'a@b.c: Enter a valid email address'],
    [{ format: 'pdf' }, 'Choose a format: CSV or XLSX'],
    [{ time: '25:00' }, 'Enter a time as HH:MM'],
    [{ frequency: 'daily', time: '02:30' }, '02:30 does not exist in Europe/Stockholm on Sun 28 Mar 2027'],
  ])('should refuse %j with a clear message and save nothing', async (changes, message) => {
    const before = await countSchedules();
    const response = await postForm(admin, '/reports/schedules/new', '/reports/schedules', { ...WEEKLY, ...changes });
    expect(response.status).toBe(422);
    expect(response.text).toContain(message);
    expect(await countSchedules()).toBe(before);
  });

  it('should say when a time in a daylight-saving gap runs, and save it once confirmed', async () => {
    const gap = { ...WEEKLY, name: 'Nightly', frequency: 'daily', time: '02:30' };
    const refused = await postForm(admin, '/reports/schedules/new', '/reports/schedules', gap);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('That day the report is sent at 03:30.');
    expect(refused.text).toContain('name="confirmShift" value="03:30"');
    const saved = await postForm(admin, '/reports/schedules/new', '/reports/schedules', {
      ...gap,
      confirmShift: '03:30',
    });
    expect(saved.status).toBe(303);
  });

  it('should send each due run once, to every recipient, with the status filter applied', async () => {
    const schedule = await create(testApp, { ...WEEKLY, name: 'Clocked' }, new Date('2030-01-01T00:00:00Z'));
    const service = testApp.app.get(ReportSchedulesService);
    expect(schedule.nextRunAt.toISOString()).toBe('2030-01-07T06:00:00.000Z');
    // Other schedules of this file may be due too: only this one's requests are counted.
    await service.runDue(new Date('2030-01-07T05:59:59Z'));
    expect(await requestsOf(testApp, schedule.id)).toEqual([]);
    await service.runDue(new Date('2030-01-07T06:00:00Z'));
    await service.runDue(new Date('2030-01-07T06:00:30Z'));
    expect(await requestsOf(testApp, schedule.id)).toEqual(['2030-01-07T06:00:00.000Z']);

    const [sales] = await mailsTo('sales@contoso.test', 1, 'Clocked');
    const [boss] = await mailsTo('boss@contoso.test', 1, 'Clocked');
    expect(sales.subject).toBe('Scheduled MCA report: Clocked: 2 tenants (CSV)');
    const csv = readCsv(sales.attachments[0].content);
    expect(csv.rows.map((r) => [r[0], r[3]])).toEqual([
      ['Alpha AB', TENANT_STATUS_LABELS.none],
      ['Gamma AB', TENANT_STATUS_LABELS.none],
    ]);
    expect(boss.attachments[0].content.equals(sales.attachments[0].content)).toBe(true);
    const list = await eventually(async () => {
      const page = await admin.get('/reports/schedules');
      return page.text.includes('Sent to 2 recipients') ? page.text : undefined;
    });
    expect(list).toContain('Mon 14 Jan 2030, 07:00 (Europe/Stockholm)');
  });

  it('should send a run missed during downtime once, at the restart, and then move on', async () => {
    // Created before the downtime: its run of 1 Nov 2026 07:00 Stockholm was missed while the app was down.
    const schedule = await create(
      testApp,
      { ...WEEKLY, name: 'Missed', frequency: 'daily' },
      new Date('2026-11-01T00:00:00Z'),
    );
    const dataDir = testApp.dataDir;
    await testApp.close();
    testApp = await createTestApp({ dataDir, env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url } });
    // The tick at start sends it, with no clock given: the real worker and the real time.
    await mailsTo('sales@contoso.test', 1, 'Missed');
    const service = testApp.app.get(ReportSchedulesService);
    await service.runDue(new Date());
    expect(await requestsOf(testApp, schedule.id)).toEqual(['2026-11-01T06:00:00.000Z']);
    const [row] = (await runForBroker(brokerId, () => service.list())).filter((s) => s.id === schedule.id);
    expect(row.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    expect(row.nextRunAt.getTime()).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
  });

  it('should run daily, weekly and monthly on the 31st, across both daylight-saving changes', async () => {
    const service = testApp.app.get(ReportSchedulesService);
    const cases: [ScheduleInput, string, string[]][] = [
      [
        { ...WEEKLY, name: 'D', frequency: 'daily', time: '07:00' },
        '2032-03-27T12:00:00Z',
        ['2032-03-28T05:00:00.000Z', '2032-03-29T05:00:00.000Z'],
      ],
      [
        { ...WEEKLY, name: 'W', frequency: 'weekly', weekday: '7', time: '02:30', confirmShift: '03:30' },
        '2032-10-30T00:00:00Z',
        ['2032-10-31T00:30:00.000Z', '2032-11-07T01:30:00.000Z'],
      ],
      [
        { ...WEEKLY, name: 'M', frequency: 'monthly', dayOfMonth: '31', time: '09:00' },
        '2033-01-31T09:00:00Z',
        ['2033-02-28T08:00:00.000Z', '2033-03-31T07:00:00.000Z'],
      ],
    ];
    for (const [input, from, expected] of cases) {
      const schedule = await create(testApp, input, new Date(from));
      // The clock jumps to each run in turn.
      for (const due of expected) await service.runDue(new Date(due));
      expect(await requestsOf(testApp, schedule.id)).toEqual(expected);
    }
  });

  // Several instances are a PostgreSQL deployment (one SQLite file serves one instance).
  const onPostgres = process.env.DATABASE_URL ? it : it.skip;

  onPostgres('should send a due run once when two instances tick at the same moment', async () => {
    const schedule = await create(
      testApp,
      { ...WEEKLY, name: 'Twice?', frequency: 'daily' },
      new Date('2034-05-01T00:00:00Z'),
    );
    const other = await createTestApp({ dataDir: testApp.dataDir, env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url } });
    try {
      const now = new Date('2034-05-01T06:00:00Z');
      await Promise.all([
        testApp.app.get(ReportSchedulesService).runDue(now),
        other.app.get(ReportSchedulesService).runDue(now),
        testApp.app.get(ReportSchedulesService).runDue(now),
        other.app.get(ReportSchedulesService).runDue(now),
      ]);
      expect(await requestsOf(testApp, schedule.id)).toEqual(['2034-05-01T05:00:00.000Z']);
    } finally {
      await other.close();
    }
  });
});
