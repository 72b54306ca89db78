import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// One event for one endpoint, written in the transaction of its cause. `messageId` is the `webhook-id` of every
// attempt (and of a redelivery), so a receiver can drop a copy. Its SQL is WebhooksRepository's.
@Entity('webhook_messages')
@Index('ix_webhook_messages_endpoint', ['endpointId', 'id'])
export class WebhookMessageEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ name: 'endpoint_id', type: 'integer' })
  endpointId: number;

  @Index('uq_webhook_messages_message_id', { unique: true })
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType: string;

  // The exact body sent, fixed when the event happened: every attempt signs the same bytes.
  @Column({ type: 'text' })
  payload: string;

  // 'pending' (an attempt is queued), 'delivered', or 'failed' (no attempt left).
  @Column({ type: 'varchar', length: 16 })
  state: string;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'last_attempt_at', type: TIMESTAMP, nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'next_attempt_at', type: TIMESTAMP, nullable: true })
  nextAttemptAt: Date | null;
}
