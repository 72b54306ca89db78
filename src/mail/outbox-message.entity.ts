import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// The table `outbox_messages`: each message rendered when its cause committed, until the 'mail.send' job sent it.
// Its SQL is OutboxRepository's.
@Entity('outbox_messages')
@Index('ix_outbox_messages_broker_created', ['brokerId', 'createdAt'])
@Index('uq_outbox_messages_message_id', ['messageId'], { unique: true })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer', nullable: true })
  brokerId: number | null;

  // Fixed when the message was queued, so that a second attempt carries the same one.
  @Column({ name: 'message_id', type: 'varchar', length: 200 })
  messageId: string;

  @Column({ name: 'to_address', type: 'varchar', length: 320 })
  toAddress: string;

  @Column({ type: 'varchar', length: 500 })
  subject: string;

  @Column({ type: 'varchar', length: 100 })
  template: string;

  @Column({ type: 'text' })
  html: string;

  @Column({ type: 'text' })
  text: string;

  // StoredAttachment[] as JSON, opened when the message is sent.
  @Column({ type: 'text', nullable: true })
  attachments: string | null;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  // When the message was given to the mail server, committed before the send: one without `sentAt` may have left.
  @Column({ name: 'handed_at', type: TIMESTAMP, nullable: true })
  handedAt: Date | null;

  @Column({ name: 'sent_at', type: TIMESTAMP, nullable: true })
  sentAt: Date | null;

  // Where the message went (the SMTP server's answer, or the file written).
  @Column({ type: 'varchar', length: 1000, nullable: true })
  delivery: string | null;
}
