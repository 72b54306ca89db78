import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { RefusalReason } from './reports.repository';

// A user's refused report requests not yet in the audit trail (ReportRefusals).
@Entity('report_refusal_tallies')
export class ReportRefusalTally {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'integer', default: 0 })
  pending: number;

  @Column({ name: 'last_reason', type: 'varchar', length: 32, nullable: true })
  lastReason: RefusalReason | null;

  @Column({ name: 'last_address', type: 'varchar', length: 254, nullable: true })
  lastAddress: string | null;

  @Column({ name: 'recorded_at', type: TIMESTAMP, nullable: true })
  recordedAt: Date | null;
}
