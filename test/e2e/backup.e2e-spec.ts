import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { SqlService } from '../../src/database/sql.service';
import { Outbox } from '../../src/mail/outbox.service';
import { cli } from '../support/cli';
import { setUpFirstAdmin } from '../support/http';
import { FAST_JOBS_ENV, eventually } from '../support/jobs';
import { startSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';

const onPostgres = Boolean(process.env.DATABASE_URL);

async function count(testApp: TestApp, sql: string): Promise<number> {
  const [row] = await testApp.app.get(SqlService).run<{ n: number | string }>(sql, []);
  return Number(row.n);
}

// One write as the app makes them: an audit event and the mail it causes, in one transaction.
async function write(testApp: TestApp, i: number): Promise<void> {
  const sql = testApp.app.get(SqlService);
  await sql.transaction(async (tx) => {
    await testApp.app.get(AuditTrail).record(tx, { action: 'test.write', brokerId: 1, data: { i } });
    await testApp.app.get(Outbox).enqueue(tx, {
      brokerId: 1,
      to: `write-${i}@fabrikam.test`,
      subject: `write ${i}`,
      template: 'notice',
      context: { heading: `Write ${i}`, paragraphs: [`Write number ${i}.`] },
    });
  });
}

interface OutboxState {
  message_id: string;
  subject: string;
  sent_at: unknown;
  handed_at: unknown;
}

const outboxOf = (testApp: TestApp) =>
  testApp.app
    .get(SqlService)
    .run<OutboxState>('SELECT message_id, subject, sent_at, handed_at FROM outbox_messages ORDER BY id', []);

describe('backup and restore', () => {
  it('should copy the database while it is written to, and restore it without a mail under a new Message-ID', async () => {
    const smtp = await startSmtp();
    const original = await createTestApp({ env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url } });
    const backupDir = mkdtempSync(join(tmpdir(), 'mca-backups-'));
    const file = join(backupDir, 'during-writes.mcabackup');
    let restoredDir = '';
    let before = 0;
    let after = 0;
    let originalClosed = false;
    try {
      await setUpFirstAdmin(original);
      // One message sent before the backup: never again after the restore.
      await write(original, 0);
      await eventually(async () => ((await outboxOf(original)).every((row) => row.sent_at) ? true : undefined));
      // Then the mail server holds its answers: each message handed over meanwhile is in flight at the backup.
      const hold = smtp.holdAnswers();
      await write(original, 1);
      await hold.arrived;

      let written = 2;
      let writing = true;
      const writer = (async () => {
        while (writing) {
          await write(original, written);
          written += 1;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 200));
      before = written;
      const backup = await cli(original.dataDir, ['backup', file]);
      after = written;
      writing = false;
      await writer;
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/^Backup written to .*during-writes\.mcabackup: \d+ bytes in \d+ ms/);
      expect(readdirSync(backupDir)).toEqual(['during-writes.mcabackup']);

      hold.open();
      await eventually(async () => ((await outboxOf(original)).every((row) => row.sent_at) ? true : undefined), 50);
      const sentByOriginal = (await smtp.parsed()).map((mail) => mail.messageId);
      expect(new Set(sentByOriginal).size).toBe(written);
      await original.close();
      originalClosed = true;

      // On SQLite into a new DATA_DIR; on PostgreSQL into the same (own) test database, replaced.
      restoredDir = onPostgres ? original.dataDir : mkdtempSync(join(tmpdir(), 'mca-restored-'));
      const restored = await cli(restoredDir, ['restore', file, ...(onPostgres ? ['--force'] : [])]);
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain('Restored the');
      expect(restored.stdout).toMatch(/handed back to the queue: [1-9]\d*\./);
      expect(restored.stdout).toMatch(
        /Audit trail OK: 1 chains, \d+ events; every chain holds the backup's signed heads/,
      );
    } finally {
      if (!originalClosed) await original.close();
    }

    // The restored database as the backup saw it, before any worker runs on it.
    const inspect = await createTestApp({ dataDir: restoredDir, env: { JOB_WORKER: 'off' } });
    let restoredOutbox: OutboxState[];
    try {
      const writes = await inspect.app
        .get(SqlService)
        .run<{ data: string }>("SELECT data FROM audit_events WHERE action = 'test.write' ORDER BY seq", []);
      const numbers = writes.map((row) => (JSON.parse(row.data) as { i: number }).i);
      // A consistent copy: the writes up to one commit, none missing, each with its mail.
      expect(numbers).toEqual(numbers.map((_, index) => index));
      restoredOutbox = await outboxOf(inspect);
      expect(restoredOutbox.map((row) => row.subject)).toEqual(numbers.map((i) => `write ${i}`));
      expect(numbers.length).toBeGreaterThanOrEqual(Math.max(before, 3));
      expect(numbers.length).toBeLessThanOrEqual(after);
      // The mail in flight at the backup: handed to the server, not confirmed, its job queued with its attempt.
      const inFlight = restoredOutbox.find((row) => row.subject === 'write 1')!;
      expect(inFlight.handed_at).not.toBeNull();
      expect(inFlight.sent_at).toBeNull();
      const [job] = await inspect.app
        .get(SqlService)
        .run<{ state: string; attempts: number | string }>(
          "SELECT state, attempts FROM jobs WHERE type = 'mail.send' AND payload = '{\"outboxId\":2}'",
          [],
        );
      expect(job).toMatchObject({ state: 'queued' });
      expect(Number(job.attempts)).toBe(1);
      expect(restoredOutbox[0].sent_at).not.toBeNull();
      expect(await count(inspect, "SELECT COUNT(*) AS n FROM jobs WHERE state = 'running'")).toBe(0);
      // The copy caught its own run unfinished: the restore records it as the success it was, never "running".
      const runs = await inspect.app
        .get(SqlService)
        .run<{ state: string; file: string }>('SELECT state, file FROM backup_runs', []);
      expect(runs).toEqual([{ state: 'succeeded', file }]);
    } finally {
      await inspect.close();
    }

    const receivedBefore = smtp.received.length;
    const again = await createTestApp({ dataDir: restoredDir, env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url } });
    try {
      await eventually(async () => ((await outboxOf(again)).every((row) => row.sent_at) ? true : undefined), 50);
      const resent = (await smtp.parsed()).slice(receivedBefore).map((mail) => mail.messageId);
      const unsent = restoredOutbox.filter((row) => !row.sent_at).map((row) => row.message_id);
      // Only what the backup had not seen confirmed goes again, each under the Message-ID it was first sent with.
      expect(resent.sort()).toEqual([...unsent].sort());
      expect(resent).not.toContain(restoredOutbox[0].message_id);
      const firstSent = new Set((await smtp.parsed()).slice(0, receivedBefore).map((mail) => mail.messageId));
      for (const id of resent) expect(firstSent.has(id)).toBe(true);
      const verified = await cli(restoredDir, ['audit:verify', '--heads', file]);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toContain('signature valid');
    } finally {
      await again.close();
      await smtp.stop();
    }
    // Three CLI processes and three app starts: 25 s alone, over the e2e project's 60 s beside another worker's tests
    // on a 2-core machine (CI, 2026-12-07).
  }, 180_000);

  it('should refuse to restore while an instance runs, a damaged file, a schema it does not know, and leave everything as it was', async () => {
    const running = await createTestApp();
    const file = join(mkdtempSync(join(tmpdir(), 'mca-backups-')), 'a.mcabackup');
    try {
      await setUpFirstAdmin(running);
      expect((await cli(running.dataDir, ['backup', file])).code).toBe(0);
      const again = await cli(running.dataDir, ['backup', file]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('exists already: choose a new file name');

      const events = await count(running, 'SELECT COUNT(*) AS n FROM audit_events');
      const refused = await cli(running.dataDir, ['restore', file, '--force']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /An instance of the app is running on this database: .+ \(pid \d+\), seen \d+ s ago/,
      );
      expect(refused.stderr).toContain('Nothing was changed');
      expect(await count(running, 'SELECT COUNT(*) AS n FROM audit_events')).toBe(events);
    } finally {
      await running.close();
    }

    const bytes = readFileSync(file);
    const target = mkdtempSync(join(tmpdir(), 'mca-restore-target-'));
    const damaged = join(target, '..', `${target.split('/').pop()}-damaged.mcabackup`);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 100] ^= 0xff;
    writeFileSync(damaged, flipped);
    const truncated = `${damaged}-short`;
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 4096));
    const notABackup = `${damaged}-text`;
    writeFileSync(notABackup, 'SQLite format 3\0 this is not a backup');
    const newer = `${damaged}-newer`;
    const headerEnd = bytes.indexOf(0x0a);
    const headerLength = Number(/ (\d+)$/.exec(bytes.subarray(0, headerEnd).toString())![1]);
    const header = JSON.parse(bytes.subarray(headerEnd + 1, headerEnd + 1 + headerLength).toString()) as object;
    const future = Buffer.from(JSON.stringify({ ...header, schemaVersion: 'Future1799999999999' }));
    writeFileSync(
      newer,
      Buffer.concat([
        Buffer.from(`MCA-MANAGER-BACKUP 1 ${future.length}\n`),
        future,
        bytes.subarray(headerEnd + 1 + headerLength),
      ]),
    );
    const cases: [string, string][] = [
      [damaged, 'does not match the checksum in its header: the file is damaged'],
      [truncated, 'it is cut short or was changed'],
      [notABackup, 'it does not start like one'],
      [newer, 'it was made by a newer version of MCA Manager'],
    ];
    for (const [bad, message] of cases) {
      const result = await cli(target, ['restore', bad, '--force']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is not a usable MCA Manager backup');
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
    }
    // Nothing was written into the target: no database, no partial file.
    expect(readdirSync(target).filter((name) => name !== 'app-secret')).toEqual([]);

    const otherSecret = await cli(mkdtempSync(join(tmpdir(), 'mca-restore-')), ['restore', file, '--force'], {
      APP_SECRET: 'another-installations-secret-that-is-long-enough-0123',
    });
    expect(otherSecret.code).toBe(1);
    expect(otherSecret.stderr).toContain("not signed with this installation's APP_SECRET");
  });

  (process.getuid?.() === 0 ? it : it.skip)(
    'should leave nothing half-written when the disk fills during a backup, and list the failure',
    async () => {
      const testApp = await createTestApp();
      const full = mkdtempSync(join(tmpdir(), 'mca-full-'));
      const { execFileSync } = await import('node:child_process');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
      try {
        const { agent } = await setUpFirstAdmin(testApp);
        const result = await cli(testApp.dataDir, ['backup', join(full, 'big.mcabackup')]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('The backup failed, and no file was left at');
        expect(result.stderr).toContain('the disk is full');
        expect(readdirSync(full)).toEqual([]);
        const page = await agent.get('/admin/backups');
        expect(page.status).toBe(200);
        expect(page.text).toMatch(/<code title="[^"]*big\.mcabackup">big\.mcabackup<\/code>/);
        expect(page.text).toContain('Failed</span>: the disk is full');
        const [event] = await testApp.app
          .get(SqlService)
          .run<{ data: string }>("SELECT data FROM audit_events WHERE action = 'backup.failed'", []);
        expect(JSON.parse(event.data)).toMatchObject({ trigger: 'command line' });
      } finally {
        execFileSync('umount', [full]);
        await testApp.close();
      }
    },
  );

  (onPostgres ? it : it.skip)('should say so when pg_dump is not installed, and write nothing', async () => {
    const testApp = await createTestApp();
    await testApp.close();
    const result = await cli(testApp.dataDir, ['backup', join(testApp.dataDir, 'x.mcabackup')], {
      PATH: '/nonexistent',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pg_dump is not installed');
    expect(readdirSync(testApp.dataDir).filter((name) => name.includes('mcabackup'))).toEqual([]);
  });
});
