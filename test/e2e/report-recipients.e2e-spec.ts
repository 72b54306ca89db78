import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { runForBroker } from '../../src/common/request-context';
import { SqlService } from '../../src/database/sql.service';
import { ReportRefusals } from '../../src/reports/report-refusals';
import { ReportRequestsService } from '../../src/reports/report-requests.service';
import { ReportSchedulesService } from '../../src/reports/report-schedules.service';
import { auditEvents } from '../support/audit';
import { createUser, csrfTokenFrom, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { eventually, FAST_JOBS_ENV, waitForJob } from '../support/jobs';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, seedTenants } from '../support/tenants';

type Agent = ReturnType<typeof request.agent>;

const SCHEDULE: Record<string, string> = {
  name: 'Daily to the team',
  frequency: 'daily',
  weekday: '1',
  dayOfMonth: '1',
  time: '07:00',
  timeZone: 'Europe/Stockholm',
  format: 'csv',
  status: 'all',
};

// Issue 20 (3 and 4): reports go only where they should, at most so many a user, with a filter the page would read.
describe('Report recipients, limits and filters', () => {
  let smtp: TestSmtp;
  let testApp: TestApp;
  let brokerId: number;
  let admin: Agent;

  const sql = () => testApp.app.get(SqlService);
  const count = async (table: string, where = '1 = 1', params: unknown[] = []) =>
    Number((await sql().run<{ n: number | string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params))[0].n);
  const userId = async (email: string) =>
    Number((await sql().query<{ id: number }>`SELECT id FROM users WHERE email = ${email}`)[0].id);
  const refusalsOf = async (email: string) => {
    const id = String(await userId(email));
    return (await auditEvents(testApp, 'report.request_refused'))
      .filter((e) => e.subject_id === id)
      .map((e) => JSON.parse(e.data) as { reason: string; address: string | null; refused: number });
  };
  const mailsTo = (address: string): Promise<ParsedMail[]> =>
    eventually(async () => {
      const mails = (await smtp.parsed()).filter((m) => m.to && 'text' in m.to && m.to.text === address);
      return mails.length > 0 ? mails : undefined;
    });

  // A person with their own session, as a viewer unless said otherwise.
  const person = async (email: string, role: 'viewer' | 'operator' | 'admin' = 'viewer') => {
    await createUser(testApp, brokerId, email, role);
    return (await signIn(testApp, email)).agent;
  };
  const requestReport = (agent: Agent, fields: Record<string, string>) =>
    postForm(agent, '/reports', '/reports', { format: 'csv', scope: 'all', ...fields });
  // The report form sent as htmx sends it: the answer is the form alone, as a fragment.
  const requestReportWithHtmx = async (agent: Agent, email: string) => {
    const page = await agent.get('/reports');
    return agent
      .post('/reports')
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), email, format: 'csv' });
  };
  const allowDomains = (domains: string) =>
    postForm(admin, '/settings/reports', '/settings/reports', { recipientDomains: domains });

  beforeAll(async () => {
    smtp = await startSmtp();
    testApp = await createTestApp({ env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url } });
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    await seedTenants(testApp, brokerId, [
      { name: 'Alpha AB', status: 'none' },
      { name: 'Beta AB', status: 'direct' },
    ]);
  });

  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  it("should refuse a viewer's report to an outside address with a message next to the email field, and audit it", async () => {
    const vera = await person('vera@contoso.test');
    const before = [await count('report_requests'), await count('jobs')];
    const refused = await requestReport(vera, { email: 'tenants@evil.test' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(
      '<small class="field-error" id="email-error">Reports go only to your own address (vera@contoso.test); an admin can allow',
    );
    expect(refused.text).toMatch(/id="report-email"[^>]*aria-invalid="true"/);
    expect(refused.text).toContain('<h1>MCA reports</h1>');
    // With htmx, the same form as a fragment.
    const fragment = await requestReportWithHtmx(vera, 'tenants@evil.test');
    expect(fragment.status).toBe(422);
    expect(fragment.text).toContain('id="email-error">Reports go only to your own address');
    expect(fragment.text).not.toContain('<html');
    expect([await count('report_requests'), await count('jobs')]).toEqual(before);
    expect(await refusalsOf('vera@contoso.test')).toEqual([
      { reason: 'recipient_not_allowed', address: 'tenants@evil.test', refused: 1 },
    ]);

    const own = await requestReport(vera, { email: 'Vera@Contoso.test' });
    expect(own.status).toBe(303);
    await mailsTo('vera@contoso.test');
  });

  it('should send to a colleague only once an admin allows the domain, never to a subdomain or a look-alike', async () => {
    const walt = await person('walt@contoso.test');
    expect((await requestReport(walt, { email: 'boss@contoso.test' })).status).toBe(422);
    // Only admins see and change the setting.
    await walt.get('/settings/reports').expect(403);
    const page = await walt.get('/reports');
    await walt
      .post('/settings/reports')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), recipientDomains: 'evil.test' })
      .expect(403);

    for (const [domains, message] of [
      ['*.contoso.test', '*.contoso.test: no wildcards'],
      ['contoso', 'contoso: not a domain name'],
      ['ada@contoso.test', 'ada@contoso.test: enter the domain only'],
    ]) {
      const refused = await allowDomains(domains);
      expect(refused.status).toBe(422);
      expect(refused.text).toContain(`id="recipientDomains-error">${message}`);
    }
    expect(await auditEvents(testApp, 'report.recipient_domains_saved')).toEqual([]);

    const saved = await allowDomains('Contoso.test\nfabrikam.test');
    expect(saved.status).toBe(303);
    const settings = await admin.get('/settings/reports').expect(200);
    expect(settings.text).toContain('Saved: reports may also go to addresses at contoso.test, fabrikam.test.');
    expect(settings.text).toContain('contoso.test\nfabrikam.test</textarea>');
    expect(settings.text).toContain('not ada@sales.contoso.com');
    const [event] = await auditEvents(testApp, 'report.recipient_domains_saved');
    expect(JSON.parse(event.data)).toEqual({ domains: ['contoso.test', 'fabrikam.test'], before: [] });

    const form = await walt.get('/reports').expect(200);
    expect(form.text).toContain('your own, or one at contoso.test, fabrikam.test.');
    expect((await requestReport(walt, { email: 'boss@contoso.test' })).status).toBe(303);
    await mailsTo('boss@contoso.test');
    for (const outside of ['boss@sales.contoso.test', 'boss@evil-contoso.test', 'boss@contoso.test.evil.test']) {
      const refused = await requestReport(walt, { email: outside });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain(
        'Reports go only to your own address (walt@contoso.test) or to an address at contoso.test, fabrikam.test.',
      );
    }
  });

  it('should take 10 reports an hour from a user and refuse the 11th with 429, Retry-After and the message on the form', async () => {
    const lena = await person('lena@contoso.test');
    for (let i = 0; i < 10; i += 1)
      expect((await requestReport(lena, { email: 'lena@contoso.test' })).status).toBe(303);
    const refused = await requestReport(lena, { email: 'lena@contoso.test' });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.text).toContain(
      'id="report-form-error">Too many reports: each person may ask for 10 reports in 1 hour. Try again in 60 minutes.',
    );
    expect(refused.text).toContain('<h1>MCA reports</h1>');
    const fragment = await requestReportWithHtmx(lena, 'lena@contoso.test');
    expect(fragment.status).toBe(429);
    expect(fragment.headers['retry-after']).toMatch(/^\d+$/);
    expect(fragment.text).toContain('id="report-form-error">Too many reports');
    expect(fragment.text).not.toContain('<html');
    const lenaId = await userId('lena@contoso.test');
    expect(await count('report_requests', `requested_by = ${sql().dialect.placeholder(1)}`, [lenaId])).toBe(10);
    expect(await refusalsOf('lena@contoso.test')).toEqual([
      { reason: 'limit', address: 'lena@contoso.test', refused: 1 },
    ]);
  });

  it('should count requests sent at once one after the other: 30 in parallel give 10 reports', async () => {
    const mia = await person('mia@contoso.test');
    const token = csrfTokenFrom((await mia.get('/reports')).text);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        mia.post('/reports').type('form').send({ _csrf: token, email: 'mia@contoso.test', format: 'csv' }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 303)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    const miaId = await userId('mia@contoso.test');
    expect(await count('report_requests', `requested_by = ${sql().dialect.placeholder(1)}`, [miaId])).toBe(10);
  });

  it('should record a scan of refusals as one event a minute with the count, and the rest at the next flush', async () => {
    const scan = await person('scan@contoso.test');
    const token = csrfTokenFrom((await scan.get('/reports')).text);
    for (let i = 0; i < 40; i += 1) {
      const answer = await scan
        .post('/reports')
        .type('form')
        .send({ _csrf: token, email: `victim${i}@outside.test`, format: 'csv' });
      expect(answer.status).toBe(422);
    }
    expect(await refusalsOf('scan@contoso.test')).toEqual([
      { reason: 'recipient_not_allowed', address: 'victim0@outside.test', refused: 1 },
    ]);
    const refusals = testApp.app.get(ReportRefusals);
    // Within the minute the flush leaves them; after it, one event counts the 39 not yet recorded.
    await refusals.flush(new Date(Date.now() + 30_000));
    expect(await refusalsOf('scan@contoso.test')).toHaveLength(1);
    await refusals.flush(new Date(Date.now() + 61_000));
    const events = await refusalsOf('scan@contoso.test');
    expect(events).toEqual([
      { reason: 'recipient_not_allowed', address: 'victim0@outside.test', refused: 1 },
      { reason: 'recipient_not_allowed', address: 'victim39@outside.test', refused: 39 },
    ]);
    await refusals.flush(new Date(Date.now() + 200_000));
    expect(await refusalsOf('scan@contoso.test')).toHaveLength(2);
    const [flushed] = (await auditEvents(testApp, 'report.request_refused')).slice(-1);
    expect(flushed.actor_type).toBe('system');
  });

  it.each([
    [{ scope: 'filtered', status: 'all', q: 'ab\u0000cd' }, 'control characters'],
    [{ scope: 'filtered', status: 'all', q: 'ab\u0007cd' }, 'control characters'],
    [{ scope: 'filtered', status: 'none', q: 'x'.repeat(201) }, 'A search is at most 200 characters'],
    [{ scope: 'filtered', status: 'bogus', q: '' }, 'That status filter does not exist'],
  ])('should refuse the filter %j with 422 and a message on the form, and queue nothing', async (fields, message) => {
    const before = [await count('report_requests'), await count('jobs')];
    const refused = await requestReport(admin, { email: 'ada@contoso.test', ...fields });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(`id="scope-error">`);
    expect(refused.text).toContain(message);
    expect([await count('report_requests'), await count('jobs')]).toEqual(before);
  });

  it('should refuse a repeated status parameter, as the page reads only its first', async () => {
    const page = await admin.get('/reports');
    const refused = await admin
      .post('/reports')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrfTokenFrom(page.text))}&email=ada%40contoso.test&format=csv&scope=filtered&status=none&status=direct`,
      );
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('That status filter does not exist');
  });

  it('should fail a report queued earlier with a filter the database cannot run once, for good, with a clear error', async () => {
    // As a row queued before these checks: stored and queued as it was sent.
    const request = await runForBroker(brokerId, () =>
      sql().transaction((tx) =>
        testApp.app.get(ReportRequestsService).create(tx, {
          brokerId,
          requestedBy: null,
          scheduleId: null,
          dueAt: null,
          recipients: ['ada@contoso.test'],
          format: 'csv',
          filter: { status: 'all', q: 'ab\u0000cd' },
          now: new Date(),
        }),
      ),
    );
    const [job] = await sql().query<{ id: number }>`SELECT id FROM jobs WHERE unique_key = ${`report:${request.id}`}`;
    const done = await waitForJob(testApp, Number(job.id), ['dead', 'succeeded']);
    expect(done.state).toBe('dead');
    expect(done.attempts).toBe(1);
    expect(done.lastError).toContain("The report's filter cannot be used");
    const [row] = await sql().query<{ state: string; error: string }>`
      SELECT state, error FROM report_requests WHERE id = ${request.id}`;
    expect(row).toEqual({
      state: 'failed',
      error:
        "The report's filter cannot be used: The search contains characters that cannot be typed (control characters): search again",
    });
  });

  describe('schedules', () => {
    const schedulesPage = '/reports/schedules/new';
    const countSchedules = () => count('report_schedules');

    it("should save a schedule's recipients only where reports may go, with a message next to the field", async () => {
      await allowDomains('');
      const before = await countSchedules();
      const refused = await postForm(admin, schedulesPage, '/reports/schedules', {
        ...SCHEDULE,
        recipients: 'ada@contoso.test\nsales@contoso.test',
      });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain(
        'id="recipients-error">Not allowed: sales@contoso.test. Reports go only to the schedule owner&#x27;s own address (ada@contoso.test)',
      );
      expect(await countSchedules()).toBe(before);
      const adaRefusals = await refusalsOf('ada@contoso.test');
      expect(adaRefusals.at(-1)).toEqual({
        reason: 'recipient_not_allowed',
        address: 'sales@contoso.test',
        refused: 1,
      });

      const tooMany = await postForm(admin, schedulesPage, '/reports/schedules', {
        ...SCHEDULE,
        recipients: Array.from({ length: 21 }, (_, i) => `p${i}@contoso.test`).join('\n'),
      });
      expect(tooMany.status).toBe(422);
      expect(tooMany.text).toContain('At most 20 recipients');
      const badFilter = await postForm(admin, schedulesPage, '/reports/schedules', {
        ...SCHEDULE,
        recipients: 'ada@contoso.test',
        status: 'bogus',
      });
      expect(badFilter.status).toBe(422);
      expect(badFilter.text).toContain('Choose every tenant or one status');

      expect(
        (await postForm(admin, schedulesPage, '/reports/schedules', { ...SCHEDULE, recipients: 'ada@contoso.test' }))
          .status,
      ).toBe(303);
      await allowDomains('contoso.test');
      const form = await admin.get(schedulesPage);
      expect(form.text).toContain(
        'the schedule owner&#x27;s own address (ada@contoso.test) or addresses at contoso.test.',
      );
      expect(
        (
          await postForm(admin, schedulesPage, '/reports/schedules', {
            ...SCHEDULE,
            name: 'To sales',
            recipients: 'ada@contoso.test\nsales@contoso.test',
          })
        ).status,
      ).toBe(303);
    });

    it('should leave out a recipient no longer allowed when the run is sent, audit it and say it on the schedules page', async () => {
      await allowDomains('contoso.test');
      const adaId = await userId('ada@contoso.test');
      const user = {
        id: adaId,
        brokerId,
        brokerName: 'Contoso Cloud',
        email: 'ada@contoso.test',
        name: 'Ada',
        role: 'admin',
      };
      const service = testApp.app.get(ReportSchedulesService);
      const schedule = await runForBroker(brokerId, () =>
        service.create(
          user,
          { ...SCHEDULE, name: 'Changed meanwhile', recipients: 'ada@contoso.test\nboard@contoso.test' },
          new Date('2031-01-01T00:00:00Z'),
        ),
      );
      await allowDomains('');
      await service.runDue(new Date('2031-01-01T06:00:00Z'));
      const [mail] = await eventually(async () => {
        const mails = (await smtp.parsed()).filter((m) => m.subject?.includes('Changed meanwhile'));
        return mails.length > 0 ? mails : undefined;
      });
      expect(mail.to && 'text' in mail.to && mail.to.text).toBe('ada@contoso.test');
      const list = await eventually(async () => {
        const page = await admin.get('/reports/schedules');
        return page.text.includes('Left out') ? page.text : undefined;
      });
      expect(list).toContain(
        'Sent to 1 recipient: 2 tenants. Left out, as the report settings no longer allow them: board@contoso.test',
      );
      // The file's other schedules were due too: only this one's events are compared.
      const skipped = (await auditEvents(testApp, 'report.recipients_skipped'))
        .map((e) => JSON.parse(e.data) as { scheduleId: number })
        .filter((data) => data.scheduleId === schedule.id);
      expect(skipped).toEqual([
        { skipped: ['board@contoso.test'], reason: 'recipient_not_allowed', scheduleId: schedule.id },
      ]);
      expect((await smtp.parsed()).some((m) => m.to && 'text' in m.to && m.to.text === 'board@contoso.test')).toBe(
        false,
      );
    });

    it("should not count scheduled runs against the owner's limit", async () => {
      const service = testApp.app.get(ReportSchedulesService);
      const adaId = await userId('ada@contoso.test');
      const user = {
        id: adaId,
        brokerId,
        brokerName: 'Contoso Cloud',
        email: 'ada@contoso.test',
        name: 'Ada',
        role: 'admin',
      };
      const schedule = await runForBroker(brokerId, () =>
        service.create(
          user,
          { ...SCHEDULE, name: 'Hourly-ish', recipients: 'ada@contoso.test' },
          new Date('2032-01-01T00:00:00Z'),
        ),
      );
      for (let day = 1; day <= 12; day += 1) await service.runDue(new Date(Date.UTC(2032, 0, day, 6)));
      expect(await count('report_requests', `schedule_id = ${sql().dialect.placeholder(1)}`, [schedule.id])).toBe(12);
      expect((await requestReport(admin, { email: 'ada@contoso.test' })).status).toBe(303);
    });
  });
});
