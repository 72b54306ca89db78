import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { ApiTokenScope } from './api-token-scope';

// A token for the JSON API. Only the SHA-256 of the token is kept: the token itself is shown once, when created.
@Entity('api_tokens')
@Index('ix_api_tokens_broker', ['brokerId', 'id'])
export class ApiToken {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  scope: ApiTokenScope;

  @Index('uq_api_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  // The token's first characters, which say which token a list row is without being able to act as it.
  @Column({ name: 'token_prefix', type: 'varchar', length: 16 })
  tokenPrefix: string;

  @Column({ name: 'created_by_user_id', type: 'integer', nullable: true })
  createdByUserId: number | null;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'expires_at', type: TIMESTAMP, nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: TIMESTAMP, nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: TIMESTAMP, nullable: true })
  revokedAt: Date | null;
}
