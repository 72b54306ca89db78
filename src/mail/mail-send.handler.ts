import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config';
import { SqlService, writeReturning } from '../database/sql.service';
import { JobHandler, PermanentJobError } from '../jobs/job-handler';
import { AttachmentGoneError, MailAttachments, type StoredAttachment } from './mail-attachments';
import { isPermanentSmtpRefusal, MAIL_DRIVER, type DriverMail, type MailDriver } from './mail-driver';
import { MAIL_MAX_ATTEMPTS, MAIL_SEND_JOB } from './outbox.service';

interface OutboxRow {
  message_id: string;
  to_address: string;
  subject: string;
  html: string;
  text: string;
  attachments: string | null;
  sent_at: unknown;
  handed_at: unknown;
}

// Sends one outbox message: at least once, never with a second Message-ID. Before the send, the time it is handed
// to the mail server is committed on its own; it is marked sent once the server accepted it. A message handed over
// without that answer (the app died mid-send, or a backup was taken meanwhile and restored) may have been
// delivered: it is sent again with the same Message-ID, which lets receiving servers and clients drop the copy.
@Injectable()
@JobHandler<{ outboxId: number }>({
  type: MAIL_SEND_JOB,
  attempts: MAIL_MAX_ATTEMPTS,
  unique: { key: ({ outboxId }) => `mail:${outboxId}` },
})
export class MailSendHandler implements JobHandler<{ outboxId: number }> {
  private readonly logger = new Logger(MailSendHandler.name);
  private readonly from: string;

  constructor(
    private readonly sql: SqlService,
    @Inject(MAIL_DRIVER) private readonly driver: MailDriver,
    private readonly attachments: MailAttachments,
    config: ConfigService,
  ) {
    this.from = config.getOrThrow<AppConfig>('app').mailFrom;
  }

  parse(payload: unknown): { outboxId: number } {
    const outboxId = (payload as { outboxId?: unknown } | null)?.outboxId;
    if (typeof outboxId !== 'number' || !Number.isInteger(outboxId) || outboxId < 1) {
      throw new Error('outboxId must be a positive integer');
    }
    return { outboxId };
  }

  async handle({ outboxId }: { outboxId: number }): Promise<void> {
    const [row] = await this.sql.query<OutboxRow>`
      SELECT message_id, to_address, subject, html, text, attachments, sent_at, handed_at FROM outbox_messages WHERE id = ${outboxId}`;
    if (!row) throw new PermanentJobError(`Outbox message ${outboxId} no longer exists`);
    if (row.sent_at) return;
    const mail: DriverMail = {
      from: this.from,
      to: row.to_address,
      subject: row.subject,
      text: row.text,
      html: row.html,
      messageId: row.message_id,
      attachments: await this.openAttachments(row.attachments),
    };
    await this.handOver(outboxId, row);
    let delivery: string;
    try {
      delivery = await this.driver.send(mail);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isPermanentSmtpRefusal(error)) throw new PermanentJobError(`The mail server refused the message: ${reason}`);
      throw new Error(`The message could not be sent (it will be tried again): ${reason}`);
    }
    await this.sql.transaction((tx) => {
      const p = tx.dialect.placeholder;
      return writeReturning(
        tx,
        `UPDATE outbox_messages SET sent_at = ${p(1)}, delivery = ${p(2)} WHERE id = ${p(3)} AND sent_at IS NULL RETURNING id`,
        [tx.dialect.encodeTimestamp(new Date()), delivery, outboxId],
      );
    });
  }

  // Opened afresh for each attempt (a stream is read once); one that no longer exists cannot be sent, ever.
  private async openAttachments(json: string | null): Promise<DriverMail['attachments']> {
    const stored = json ? (JSON.parse(json) as (StoredAttachment | { filename: string; path: string })[]) : [];
    try {
      return await Promise.all(stored.map((a) => ('source' in a ? this.attachments.open(a) : a)));
    } catch (error) {
      if (error instanceof AttachmentGoneError) throw new PermanentJobError(error.message);
      throw error;
    }
  }

  private async handOver(outboxId: number, row: OutboxRow): Promise<void> {
    if (row.handed_at) {
      const at = this.sql.dialect.decodeTimestamp(row.handed_at)!.toISOString();
      this.logger.warn(
        `Mail ${row.message_id} was handed to the mail server at ${at} without an answer: sending it again with the same Message-ID`,
      );
      return;
    }
    await this.sql.transaction((tx) => {
      const p = tx.dialect.placeholder;
      return writeReturning(
        tx,
        `UPDATE outbox_messages SET handed_at = ${p(1)} WHERE id = ${p(2)} AND handed_at IS NULL RETURNING id`,
        [tx.dialect.encodeTimestamp(new Date()), outboxId],
      );
    });
  }
}
