import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// The table `audit_anchors`: each signed anchor written out of the database, and where (the log, a backup), for the
// Audit trail page. Its SQL is AuditRepository's.
@Entity('audit_anchors')
export class AuditAnchorEntity {
  @PrimaryGeneratedColumn()
  id: number;

  // The AuditAnchor as JSON.
  @Column({ type: 'text' })
  anchor: string;

  @Column({ name: 'written_to', type: 'varchar', length: 1100 })
  writtenTo: string;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;
}
