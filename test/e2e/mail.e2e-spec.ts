import { simpleParser } from 'mailparser';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { MailAttachments } from '../../src/mail/mail-attachments';
import { Outbox, type OutboxMessage } from '../../src/mail/outbox.service';
import { eventually, FAST_JOBS_ENV, waitForJob } from '../support/jobs';
import { startSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';

const MESSAGE: OutboxMessage = {
  brokerId: null,
  to: 'signatory@customer.test',
  subject: 'Please accept the Microsoft Customer Agreement',
  template: 'notice',
  context: {
    heading: 'Microsoft Customer Agreement',
    paragraphs: ['Open the link to review & accept.'],
    link: { href: 'https://mca.example.test/a/1', label: 'Review and accept' },
  },
};

async function send(testApp: TestApp, message: OutboxMessage = MESSAGE): Promise<{ outboxId: number; jobId: number }> {
  const sql = testApp.app.get(SqlService);
  const outboxId = await sql.transaction((tx) => testApp.app.get(Outbox).enqueue(tx, message));
  const [job] = await sql.query<{ id: number }>`SELECT id FROM jobs WHERE unique_key = ${`mail:${outboxId}`}`;
  return { outboxId, jobId: Number(job.id) };
}

const sentAt = async (testApp: TestApp, outboxId: number) => {
  const [row] = await testApp.app.get(SqlService).query<{
    sent_at: unknown;
    message_id: string;
  }>`SELECT sent_at, message_id FROM outbox_messages WHERE id = ${outboxId}`;
  return row;
};

describe('Mail outbox', () => {
  it('should write each message as an .eml file to the outbox folder when no SMTP server is configured', async () => {
    const testApp = await createTestApp({ env: FAST_JOBS_ENV });
    try {
      const { outboxId, jobId } = await send(testApp);
      await waitForJob(testApp, jobId, ['succeeded']);
      const files = readdirSync(join(testApp.dataDir, 'outbox'));
      expect(files).toHaveLength(1);
      const parsed = await simpleParser(readFileSync(join(testApp.dataDir, 'outbox', files[0])));
      expect(parsed.subject).toBe(MESSAGE.subject);
      expect(parsed.text).toContain('Open the link to review & accept.');
      expect(parsed.text).toContain('Review and accept: https://mca.example.test/a/1');
      expect(parsed.html).toContain('review &amp; accept');
      expect(parsed.from?.text).toContain('mca-manager@localhost');
      expect(parsed.messageId).toBe((await sentAt(testApp, outboxId)).message_id);
    } finally {
      await testApp.close();
    }
  });

  it('should deliver through the SMTP server of SMTP_URL, with attachments, and mark the message sent', async () => {
    const smtp = await startSmtp();
    const testApp = await createTestApp({
      env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url, MAIL_FROM: 'Contoso Cloud <partners@contoso.test>' },
    });
    try {
      // An attachment kept elsewhere (reports keep theirs in the database), opened when the message is sent.
      const files: Record<string, string> = { 'report-1': 'a,b\n1,2\n' };
      testApp.app
        .get(MailAttachments)
        .register('test-files', async (ref) => (ref in files ? Readable.from([Buffer.from(files[ref])]) : null));
      const { outboxId, jobId } = await send(testApp, {
        ...MESSAGE,
        attachments: [{ filename: 'report.csv', contentType: 'text/csv', source: 'test-files', ref: 'report-1' }],
      });
      await waitForJob(testApp, jobId, ['succeeded']);
      const [parsed] = await smtp.parsed();
      expect(smtp.received).toHaveLength(1);
      expect(parsed.subject).toBe(MESSAGE.subject);
      expect(parsed.from?.text).toContain('partners@contoso.test');
      expect(parsed.messageId).toMatch(/^<[0-9a-f-]+@contoso\.test>$/);
      expect(parsed.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toEqual([
        ['report.csv', 'a,b\n1,2\n'],
      ]);
      expect((await sentAt(testApp, outboxId)).sent_at).toBeTruthy();
      expect(readdirSync(testApp.dataDir)).not.toContain('outbox');

      // One that no longer exists cannot be sent however often it is tried: the job fails for good, nothing is sent.
      const gone = await send(testApp, {
        ...MESSAGE,
        attachments: [{ filename: 'gone.csv', source: 'test-files', ref: 'report-2' }],
      });
      expect(await waitForJob(testApp, gone.jobId, ['succeeded', 'dead'])).toMatchObject({
        state: 'dead',
        attempts: 1,
        lastError: expect.stringContaining('The attachment gone.csv no longer exists') as unknown,
      });
      expect(smtp.received).toHaveLength(1);
    } finally {
      await testApp.close();
      await smtp.stop();
    }
  });

  it('should deliver every message exactly once when the SMTP server was down and comes back', async () => {
    const smtp = await startSmtp();
    await smtp.stop();
    const testApp = await createTestApp({ env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url } });
    try {
      const sent: { outboxId: number; jobId: number }[] = [];
      for (let i = 0; i < 5; i += 1) sent.push(await send(testApp, { ...MESSAGE, subject: `Message ${i}` }));
      const queue = testApp.app.get(JobQueue);
      // Every message has failed at least once against the closed port before the server comes back.
      await eventually(async () => {
        const jobs = await Promise.all(sent.map(({ jobId }) => queue.get(jobId)));
        return jobs.every((job) => job && job.lastError && job.state === 'queued') ? true : undefined;
      });
      expect(smtp.received).toHaveLength(0);
      await smtp.start();
      for (const { jobId } of sent) await waitForJob(testApp, jobId, ['succeeded']);
      const subjects = (await smtp.parsed()).map((mail) => mail.subject).sort();
      expect(subjects).toEqual(['Message 0', 'Message 1', 'Message 2', 'Message 3', 'Message 4']);
      for (const { outboxId } of sent) expect((await sentAt(testApp, outboxId)).sent_at).toBeTruthy();
    } finally {
      await testApp.close();
      await smtp.stop();
    }
  });

  it('should refuse a template name that could leave views/mail, in the transaction that asked for it', async () => {
    const testApp = await createTestApp();
    try {
      await expect(send(testApp, { ...MESSAGE, template: '../layouts/main' })).rejects.toThrow(
        'Not a mail template name: "../layouts/main"',
      );
      const [{ count }] = await testApp.app.get(SqlService).query<{
        count: number | string;
      }>`SELECT COUNT(*) AS count FROM outbox_messages`;
      expect(Number(count)).toBe(0);
    } finally {
      await testApp.close();
    }
  });
});
