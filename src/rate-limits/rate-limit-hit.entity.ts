import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// One counted attempt. The subject is a hash: no email or address is kept here.
@Entity('rate_limit_hits')
@Index('ix_rate_limit_hits_key', ['bucket', 'subject', 'at'])
export class RateLimitHit {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 40 })
  bucket: string;

  @Column({ type: 'varchar', length: 64 })
  subject: string;

  @Index('ix_rate_limit_hits_at')
  @Column({ type: TIMESTAMP })
  at: Date;
}
