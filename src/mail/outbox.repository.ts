import { Injectable } from '@nestjs/common';
import type { Dialect } from '../database/dialect';
import { SqlService, type Tx } from '../database/sql.service';
import { writeReturning } from '../database/sql.service';
import type { StoredAttachment } from './mail-attachments';

// An attachment as older messages stored it: a file on disk.
export type OutboxAttachment = StoredAttachment | { filename: string; path: string };

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

// A message waiting in the outbox, as the send job reads it.
export interface OutboxEntry {
  messageId: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments: OutboxAttachment[];
  sentAt: Date | null;
  handedAt: Date | null;
}

export interface NewOutboxEntry {
  brokerId: number | null;
  messageId: string;
  to: string;
  subject: string;
  template: string;
  html: string;
  text: string;
  attachments: StoredAttachment[];
  createdAt: Date;
}

const toEntry = (row: OutboxRow, dialect: Dialect): OutboxEntry => ({
  messageId: row.message_id,
  to: row.to_address,
  subject: row.subject,
  html: row.html,
  text: row.text,
  attachments: row.attachments ? (JSON.parse(row.attachments) as OutboxAttachment[]) : [],
  sentAt: dialect.decodeTimestamp(row.sent_at),
  handedAt: dialect.decodeTimestamp(row.handed_at),
});

// All SQL of the table `outbox_messages`.
@Injectable()
export class OutboxRepository {
  constructor(private readonly sql: SqlService) {}

  async insert(tx: Tx, entry: NewOutboxEntry): Promise<number> {
    const p = tx.dialect.placeholder;
    const [row] = await tx.run<{ id: number | string }>(
      `INSERT INTO outbox_messages (broker_id, message_id, to_address, subject, template, html, text, attachments, created_at)
       VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}) RETURNING id`,
      [
        entry.brokerId,
        entry.messageId,
        entry.to,
        entry.subject,
        entry.template,
        entry.html,
        entry.text,
        entry.attachments.length ? JSON.stringify(entry.attachments) : null,
        tx.dialect.encodeTimestamp(entry.createdAt),
      ],
    );
    return Number(row.id);
  }

  async find(outboxId: number): Promise<OutboxEntry | null> {
    const [row] = await this.sql.query<OutboxRow>`
      SELECT message_id, to_address, subject, html, text, attachments, sent_at, handed_at FROM outbox_messages WHERE id = ${outboxId}`;
    return row ? toEntry(row, this.sql.dialect) : null;
  }

  // Committed on its own before the send: a message handed over without an answer is known to be in doubt.
  async markHandedOver(outboxId: number, at: Date): Promise<void> {
    await this.sql.transaction((tx) => {
      const p = tx.dialect.placeholder;
      return writeReturning(
        tx,
        `UPDATE outbox_messages SET handed_at = ${p(1)} WHERE id = ${p(2)} AND handed_at IS NULL RETURNING id`,
        [tx.dialect.encodeTimestamp(at), outboxId],
      );
    });
  }

  async markSent(outboxId: number, at: Date, delivery: string): Promise<void> {
    await this.sql.transaction((tx) => {
      const p = tx.dialect.placeholder;
      return writeReturning(
        tx,
        `UPDATE outbox_messages SET sent_at = ${p(1)}, delivery = ${p(2)} WHERE id = ${p(3)} AND sent_at IS NULL RETURNING id`,
        [tx.dialect.encodeTimestamp(at), delivery, outboxId],
      );
    });
  }
}
