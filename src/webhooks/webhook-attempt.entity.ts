import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// One delivery attempt, as the endpoint's log shows it. Its SQL is WebhooksRepository's.
@Entity('webhook_attempts')
@Index('ix_webhook_attempts_endpoint', ['endpointId', 'id'])
export class WebhookAttemptEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ name: 'endpoint_id', type: 'integer' })
  endpointId: number;

  @Index('ix_webhook_attempts_message')
  @Column({ name: 'message_row_id', type: 'integer' })
  messageRowId: number;

  @Column({ type: 'integer' })
  attempt: number;

  @Column({ name: 'started_at', type: TIMESTAMP })
  startedAt: Date;

  // Null when no answer came (refused address, connection error, timeout).
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  // The first bytes of the answer's body, as text.
  @Column({ name: 'response_excerpt', type: 'varchar', length: 1000, nullable: true })
  responseExcerpt: string | null;
}
