import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { JobHandler, PermanentJobError } from '../jobs/job-handler';
import { AttachmentGoneError, MailAttachments } from './mail-attachments';
import { isPermanentSmtpRefusal, MAIL_DRIVER, type DriverMail, type MailDriver } from './mail-driver';
import { MAIL_MAX_ATTEMPTS, MAIL_SEND_JOB } from './outbox.service';
import { OutboxRepository, type OutboxAttachment, type OutboxEntry } from './outbox.repository';

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
    private readonly outbox: OutboxRepository,
    @Inject(MAIL_DRIVER) private readonly driver: MailDriver,
    private readonly attachments: MailAttachments,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.from = config.mailFrom;
  }

  parse(payload: unknown): { outboxId: number } {
    const outboxId = (payload as { outboxId?: unknown } | null)?.outboxId;
    if (typeof outboxId !== 'number' || !Number.isInteger(outboxId) || outboxId < 1) {
      throw new Error('outboxId must be a positive integer');
    }
    return { outboxId };
  }

  async handle({ outboxId }: { outboxId: number }): Promise<void> {
    const entry = await this.outbox.find(outboxId);
    if (!entry) throw new PermanentJobError(`Outbox message ${outboxId} no longer exists`);
    if (entry.sentAt) return;
    const mail: DriverMail = {
      from: this.from,
      to: entry.to,
      subject: entry.subject,
      text: entry.text,
      html: entry.html,
      messageId: entry.messageId,
      attachments: await this.openAttachments(entry.attachments),
    };
    await this.handOver(outboxId, entry);
    let delivery: string;
    try {
      delivery = await this.driver.send(mail);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isPermanentSmtpRefusal(error)) throw new PermanentJobError(`The mail server refused the message: ${reason}`);
      throw new Error(`The message could not be sent (it will be tried again): ${reason}`);
    }
    await this.outbox.markSent(outboxId, this.clock.now(), delivery);
  }

  // Opened afresh for each attempt (a stream is read once); one that no longer exists cannot be sent, ever.
  private async openAttachments(stored: OutboxAttachment[]): Promise<DriverMail['attachments']> {
    try {
      return await Promise.all(stored.map((a) => ('source' in a ? this.attachments.open(a) : a)));
    } catch (error) {
      if (error instanceof AttachmentGoneError) throw new PermanentJobError(error.message);
      throw error;
    }
  }

  private async handOver(outboxId: number, entry: OutboxEntry): Promise<void> {
    if (entry.handedAt) {
      this.logger.warn(
        `Mail ${entry.messageId} was handed to the mail server at ${entry.handedAt.toISOString()} without an answer: sending it again with the same Message-ID`,
      );
      return;
    }
    await this.outbox.markHandedOver(outboxId, this.clock.now());
  }
}
