import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import type { Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import type { StoredAttachment } from './mail-attachments';
import { MailTemplates } from './mail-templates';
import { OutboxRepository } from './outbox.repository';

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
    private readonly repository: OutboxRepository,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.domain = messageIdDomain(config.mailFrom);
  }

  async enqueue(tx: Tx, message: OutboxMessage): Promise<number> {
    const { html, text } = this.templates.render(message.template, message.context);
    const id = await this.repository.insert(tx, {
      brokerId: message.brokerId,
      messageId: `<${randomUUID()}@${this.domain}>`,
      to: message.to,
      subject: message.subject,
      template: message.template,
      html,
      text,
      attachments: message.attachments ?? [],
      createdAt: this.clock.now(),
    });
    await this.queue.enqueue(tx, MAIL_SEND_JOB, { outboxId: id }, { brokerId: message.brokerId });
    return id;
  }
}
