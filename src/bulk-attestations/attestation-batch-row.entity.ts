import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { BatchRowStatus } from './batch-status';

// One row of a batch: the signatory as given (kept as entered, so the preview and the result file show the partner's
// own text), the tenant it resolved to, its errors by column (JSON) and its outcome.
@Entity('attestation_batch_rows')
@Index('uq_attestation_batch_rows_number', ['batchId', 'rowNumber'], { unique: true })
@Index('ix_attestation_batch_rows_status', ['batchId', 'status', 'rowNumber'])
export class AttestationBatchRow {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'batch_id', type: 'integer' })
  batchId: number;

  // The row's line in the uploaded file (or its place in the selection), as the preview names it.
  @Column({ name: 'row_number', type: 'integer' })
  rowNumber: number;

  @Column({ name: 'tenant_id', type: 'integer', nullable: true })
  tenantId: number | null;

  @Column({ name: 'microsoft_tenant_id', type: 'varchar', length: 100 })
  microsoftTenantId: string;

  @Column({ name: 'company_name', type: 'varchar', length: 300 })
  companyName: string;

  @Column({ name: 'signatory_first_name', type: 'varchar', length: 100 })
  signatoryFirstName: string;

  @Column({ name: 'signatory_last_name', type: 'varchar', length: 100 })
  signatoryLastName: string;

  @Column({ name: 'signatory_email', type: 'varchar', length: 254 })
  signatoryEmail: string;

  @Column({ name: 'signatory_phone', type: 'varchar', length: 40, nullable: true })
  signatoryPhone: string | null;

  @Column({ type: 'varchar', length: 100 })
  country: string;

  @Column({ type: 'varchar', length: 100 })
  language: string;

  @Column({ name: 'auto_finalize', type: 'boolean', default: false })
  autoFinalize: boolean;

  @Column({ type: 'varchar', length: 16 })
  status: BatchRowStatus;

  // `{ column: message }` as JSON: the preview's errors for this row, in the single form's words.
  @Column({ type: 'text', nullable: true })
  errors: string | null;

  @Column({ name: 'skip_reason', type: 'varchar', length: 300, nullable: true })
  skipReason: string | null;

  @Column({ name: 'attestation_id', type: 'integer', nullable: true })
  attestationId: number | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;

  @Column({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
