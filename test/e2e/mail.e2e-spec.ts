import { simpleParser } from 'mailparser';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { MailService } from '../../src/mail/mail.service';
import { createTestApp } from '../support/test-app';

const MAIL = {
  to: 'signatory@customer.test',
  subject: 'Please accept the Microsoft Customer Agreement',
  text: 'Open the link to review and accept.',
};

describe(MailService.name, () => {
  it('should write each message as an .eml file to the outbox when no SMTP server is configured', async () => {
    const testApp = await createTestApp();
    try {
      const sent = await testApp.app.get(MailService).send(MAIL);
      const files = readdirSync(join(testApp.dataDir, 'outbox'));
      expect(files).toHaveLength(1);
      expect(sent.delivery).toBe(join(testApp.dataDir, 'outbox', files[0]));
      const parsed = await simpleParser(readFileSync(sent.delivery));
      expect(parsed.subject).toBe(MAIL.subject);
      expect(parsed.text?.trim()).toBe(MAIL.text);
      expect(parsed.from?.text).toContain('mca-manager@localhost');
    } finally {
      await testApp.close();
    }
  });

  it('should deliver through the SMTP server of SMTP_URL', async () => {
    const received: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as AddressInfo;
    const testApp = await createTestApp({
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Contoso Cloud <partners@contoso.test>' },
    });
    try {
      await testApp.app
        .get(MailService)
        .send({ ...MAIL, attachments: [{ filename: 'report.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' }] });
      expect(received).toHaveLength(1);
      const parsed = await simpleParser(received[0]);
      expect(parsed.subject).toBe(MAIL.subject);
      expect(parsed.from?.text).toContain('partners@contoso.test');
      expect(parsed.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toEqual([
        ['report.csv', 'a,b\n1,2\n'],
      ]);
      expect(readdirSync(testApp.dataDir)).not.toContain('outbox');
    } finally {
      await testApp.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
