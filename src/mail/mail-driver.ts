import { Logger } from '@nestjs/common';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import nodemailer, { type Transporter } from 'nodemailer';

export interface DriverMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  // Fixed when the message was queued: a retry after an unknown outcome carries the same one, so a receiving
  // server or person can tell it is the same message.
  messageId: string;
  // A file on disk (messages queued before report files moved to the database), or a stream opened at send time.
  attachments: { filename: string; contentType?: string; path?: string; content?: Readable }[];
}

// How a rendered message leaves the app. Throws when it was not accepted; the job retries.
export interface MailDriver {
  // Where the message went (the SMTP server's answer, or the file written), kept on the outbox row.
  send(mail: DriverMail): Promise<string>;
  close(): void;
}

export const MAIL_DRIVER = Symbol('MAIL_DRIVER');

// A refusal by the server itself (5xx): sending the same message again would be refused again.
export const isPermanentSmtpRefusal = (error: unknown): boolean => {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
};

export class SmtpMailDriver implements MailDriver {
  private readonly logger = new Logger(SmtpMailDriver.name);
  private readonly transporter: Transporter;

  constructor(smtpUrl: string) {
    this.transporter = nodemailer.createTransport(smtpUrl);
  }

  async send(mail: DriverMail): Promise<string> {
    const info = await this.transporter.sendMail(mail);
    this.logger.log(`Mail ${mail.messageId} "${mail.subject}" sent by SMTP: ${String(info.response)}`);
    return String(info.response).slice(0, 1000);
  }

  close(): void {
    this.transporter.close();
  }
}

// No SMTP server configured: each message becomes an .eml file in DATA_DIR/outbox (a new install sends nothing
// anywhere, and every message can be opened). Named by its Message-ID, so a second attempt overwrites the first.
export class EmlFolderMailDriver implements MailDriver {
  private readonly logger = new Logger(EmlFolderMailDriver.name);
  private readonly transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(private readonly dir: string) {}

  async send(mail: DriverMail): Promise<string> {
    const info = await this.transporter.sendMail(mail);
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${mail.messageId.replace(/[^A-Za-z0-9.@-]/g, '')}.eml`);
    await writeFile(`${file}.tmp`, info.message as Buffer);
    await rename(`${file}.tmp`, file);
    this.logger.log(`Mail ${mail.messageId} "${mail.subject}" written to ${file}`);
    return file;
  }

  close(): void {
    this.transporter.close();
  }
}
