import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// A POST's Idempotency-Key, per token: `running` while its first request runs, then `done` with the answer that a
// retry with the same key gets again. Reads and writes are IdempotencyKeysRepository's SQL.
@Entity('api_idempotency_keys')
@Index('uq_api_idempotency_keys_token_key', ['tokenId', 'idempotencyKey'], { unique: true })
@Index('ix_api_idempotency_keys_created', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'token_id', type: 'integer' })
  tokenId: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  // SHA-256 of the method, the path and the body: the same key with another request is refused.
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 16 })
  state: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_type', type: 'varchar', length: 100, nullable: true })
  responseType: string | null;

  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody: string | null;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  // When the request that holds a running key started (or took it over from one that died).
  @Column({ name: 'started_at', type: TIMESTAMP })
  startedAt: Date;
}
