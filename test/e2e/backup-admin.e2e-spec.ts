import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { RecurringJobs } from '../../src/jobs/recurring-jobs.service';
import { postForm, setUpFirstAdmin } from '../support/http';
import { FAST_JOBS_ENV, waitForJob } from '../support/jobs';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Backups page', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp({ env: FAST_JOBS_ENV });
  });
  afterAll(() => testApp.close());

  it('should refuse bad settings next to each field, then schedule daily backups that keep the newest', async () => {
    const { agent } = await setUpFirstAdmin(testApp);
    const page = await agent.get('/admin/backups');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/admin/backups" aria-current="page">Backups</a>');
    expect(page.text).toContain('Scheduled backups are off.');

    const refused = await postForm(agent, '/admin/backups', '/admin/backups', {
      enabled: 'on',
      timeOfDay: '25:00',
      timeZone: 'Mars/Olympus',
      folder: '/nonexistent/backups',
      keep: '0',
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/id="timeOfDay-error"[^>]*>[^<]*Enter a time of day as HH:MM/);
    expect(refused.text).toMatch(/id="timeZone-error"[^>]*>[^<]*by its IANA name/);
    expect(refused.text).toMatch(/id="folder-error"[^>]*>[^<]*The folder \/nonexistent\/backups does not exist/);
    expect(refused.text).toMatch(/id="keep-error"[^>]*>[^<]*from 1 to 365/);
    expect(refused.text).toContain('value="Mars/Olympus"');
    const relative = await postForm(agent, '/admin/backups', '/admin/backups', {
      timeOfDay: '02:30',
      timeZone: 'UTC',
      folder: 'backups',
      keep: '7',
    });
    expect(relative.status).toBe(422);
    expect(relative.text).toContain('Enter the folder’s full path on the server');

    const folder = mkdtempSync(join(tmpdir(), 'mca-scheduled-'));
    const saved = await postForm(agent, '/admin/backups', '/admin/backups', {
      enabled: 'on',
      timeOfDay: '03:15',
      timeZone: 'Europe/Stockholm',
      folder,
      keep: '2',
    });
    expect(saved.status).toBe(303);
    const next = await testApp.app.get(RecurringJobs).nextRunAt('backup.scheduled');
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', timeStyle: 'short' }).format(next!)).toBe(
      '03:15',
    );

    // Three scheduled runs (a second apart: files are named by the second); two are kept.
    const sql = testApp.app.get(SqlService);
    for (let run = 0; run < 3; run++) {
      const jobId = (await sql.transaction((tx) => testApp.app.get(JobQueue).enqueue(tx, 'backup.run', {})))!;
      await waitForJob(testApp, jobId, ['succeeded']);
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    const files = readdirSync(folder);
    expect(files).toHaveLength(2);
    for (const name of files) expect(name).toMatch(/^mca-manager-\d{8}-\d{6}Z\.mcabackup$/);

    const listed = await agent.get('/admin/backups');
    expect(listed.text).toContain('Next backup: <time');
    expect(listed.text.match(/<tr id="backup-\d+" class="backup-succeeded">/g)).toHaveLength(3);
    expect(listed.text).toMatch(/<td data-label="How">Scheduled<\/td>/);
    expect(listed.text).toMatch(/<td data-label="Size">\d+(\.\d)? KB<\/td>/);
    expect(listed.text).toMatch(/<td data-label="Took">\d+(\.\d)? (ms|s)<\/td>/);

    const events = await sql.query<{ action: string }>`
      SELECT action FROM audit_events WHERE action LIKE 'backup.%' ORDER BY id`;
    expect(events.map((event) => event.action)).toEqual([
      'backup.settings_saved',
      'backup.created',
      'backup.created',
      'backup.created',
    ]);
  });
});
