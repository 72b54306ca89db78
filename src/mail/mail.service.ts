import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../config/app.config';

export interface OutgoingMail {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  attachments?: { filename: string; content: Buffer | string; contentType?: string }[];
}

export interface SentMail {
  messageId: string;
  // Where the message went: the SMTP server's answer, or the .eml file written to the outbox.
  delivery: string;
}

// One way to send mail, two drivers chosen by configuration: SMTP when SMTP_URL is set, otherwise each message is
// written as an .eml file to DATA_DIR/outbox (a new install sends nothing anywhere, and every message can be opened).
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger(MailService.name);
  private readonly transporter: Transporter;
  private readonly outboxDir: string | null;
  private readonly from: string;

  constructor(config: ConfigService) {
    const app = config.getOrThrow<AppConfig>('app');
    this.from = app.mailFrom;
    this.outboxDir = app.smtpUrl ? null : join(app.dataDir, 'outbox');
    this.transporter = app.smtpUrl
      ? nodemailer.createTransport(app.smtpUrl)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const info = await this.transporter.sendMail({ from: this.from, ...mail });
    if (!this.outboxDir) {
      this.logger.log(`Mail "${mail.subject}" sent by SMTP: ${String(info.response)}`);
      return { messageId: info.messageId, delivery: String(info.response) };
    }
    await mkdir(this.outboxDir, { recursive: true });
    const file = join(this.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`);
    await writeFile(file, info.message as Buffer);
    this.logger.log(`Mail "${mail.subject}" written to ${file}`);
    return { messageId: info.messageId, delivery: file };
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}
