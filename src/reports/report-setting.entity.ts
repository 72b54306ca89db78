import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// A broker's report settings: the domains, besides each requester's own address, that reports may be mailed to.
@Entity('report_settings')
export class ReportSetting {
  @PrimaryColumn({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  // One domain a line.
  @Column({ name: 'recipient_domains', type: 'varchar', length: 2000, default: '' })
  recipientDomains: string;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
