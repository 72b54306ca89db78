import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// A partner's endpoint, of one broker. The signing secret is sealed (SecretBox): deliveries need it in clear to sign,
// so it cannot be hashed; it is shown once, when made or rotated. Its SQL is WebhooksRepository's.
@Entity('webhook_endpoints')
@Index('ix_webhook_endpoints_broker', ['brokerId', 'id'])
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'varchar', length: 2000 })
  url: string;

  @Column({ type: 'varchar', length: 200 })
  description: string;

  // The event types it wants, comma-separated.
  @Column({ type: 'varchar', length: 1000 })
  events: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ name: 'secret_sealed', type: 'varchar', length: 500 })
  secretSealed: string;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
