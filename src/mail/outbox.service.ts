import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/app.config';
import type { Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import type { StoredAttachment } from './mail-attachments';
import { MailTemplates } from './mail-templates';

export interface OutboxMessage {
  brokerId: number | null;
  to: string; // one address, validated by the caller
  subject: string;
  template: string; // views/mail/<template>.html.hbs and views/mail/<template>.text.hbs, rendered at enqueue
  context: Record<string, unknown>; // template data
  attachments?: StoredAttachment[]; // opened when the message is sent (reports)
}

export const MAIL_SEND_JOB = 'mail.send';
export const MAIL_MAX_ATTEMPTS = 10;

// The domain of MAIL_FROM, so Message-IDs look like the sender's own.
export function messageIdDomain(mailFrom: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom.trim());
  return match ? match[1] : 'mca-manager.localhost';
}

// Mail is written here in the same transaction as the change that causes it, rendered at once (a template error
// fails the change, not a send hours later), and sent after commit by the 'mail.send' job.
@Injectable()
export class Outbox {
  private readonly domain: string;

  constructor(
    private readonly queue: JobQueue,
    private readonly templates: MailTemplates,
    config: ConfigService,
  ) {
    this.domain = messageIdDomain(config.getOrThrow<AppConfig>('app').mailFrom);
  }

  async enqueue(tx: Tx, message: OutboxMessage): Promise<number> {
    const { html, text } = this.templates.render(message.template, message.context);
    const p = tx.dialect.placeholder;
    const [row] = await tx.run<{ id: number | string }>(
      `INSERT INTO outbox_messages (broker_id, message_id, to_address, subject, template, html, text, attachments, created_at)
       VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}) RETURNING id`,
      [
        message.brokerId,
        `<${randomUUID()}@${this.domain}>`,
        message.to,
        message.subject,
        message.template,
        html,
        text,
        message.attachments?.length ? JSON.stringify(message.attachments) : null,
        tx.dialect.encodeTimestamp(new Date()),
      ],
    );
    const id = Number(row.id);
    await this.queue.enqueue(tx, MAIL_SEND_JOB, { outboxId: id }, { brokerId: message.brokerId });
    return id;
  }
}
