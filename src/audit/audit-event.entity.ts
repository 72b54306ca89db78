import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// The table `audit_events`: append-only (triggers refuse UPDATE and DELETE), one hash chain per broker. Its SQL is
// AuditRepository's.
@Entity('audit_events')
@Index('uq_audit_events_chain_seq', ['chainId', 'seq'], { unique: true })
@Index('ix_audit_events_broker_id', ['brokerId', 'id'])
@Index('ix_audit_events_broker_action', ['brokerId', 'action', 'id'])
@Index('ix_audit_events_subject', ['subjectType', 'subjectId', 'id'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn()
  id: number;

  // The broker's id, or 0 for events without a broker.
  @Column({ name: 'chain_id', type: 'integer' })
  chainId: number;

  @Column({ type: 'integer' })
  seq: number;

  @Column({ name: 'broker_id', type: 'integer', nullable: true })
  brokerId: number | null;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType: string;

  @Column({ name: 'actor_id', type: 'integer', nullable: true })
  actorId: number | null;

  @Column({ name: 'actor_label', type: 'varchar', length: 300 })
  actorLabel: string;

  @Column({ type: 'varchar', length: 100 })
  action: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 64, nullable: true })
  subjectType: string | null;

  @Column({ name: 'subject_id', type: 'varchar', length: 100, nullable: true })
  subjectId: string | null;

  // The event's data as canonical JSON, as its hash covers it.
  @Column({ type: 'text' })
  data: string;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
