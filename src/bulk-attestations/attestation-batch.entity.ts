import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { BatchSource, BatchStatus } from './batch-status';

@Entity('attestation_batches')
@Index('ix_attestation_batches_broker', ['brokerId', 'id'])
export class AttestationBatch {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'varchar', length: 16 })
  source: BatchSource;

  @Column({ type: 'varchar', length: 16 })
  status: BatchStatus;

  @Column({ name: 'file_name', type: 'varchar', length: 255, nullable: true })
  fileName: string | null;

  // The uploaded file's SHA-256, recorded in the batch's audit event.
  @Column({ name: 'file_sha256', type: 'varchar', length: 64, nullable: true })
  fileSha256: string | null;

  @Column({ name: 'row_count', type: 'integer', default: 0 })
  rowCount: number;

  @Column({ name: 'created_by_user_id', type: 'integer', nullable: true })
  createdByUserId: number | null;

  @Column({ name: 'created_by_label', type: 'varchar', length: 300 })
  createdByLabel: string;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'confirmed_at', type: TIMESTAMP, nullable: true })
  confirmedAt: Date | null;

  @Column({ name: 'finished_at', type: TIMESTAMP, nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'summary_sent_at', type: TIMESTAMP, nullable: true })
  summarySentAt: Date | null;
}
