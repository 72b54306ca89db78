import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { AttestationState } from './attestation-state';

// The table `attestations` as the migrations made it; its reads and writes are AttestationsRepository's SQL. At most
// one open attestation per tenant (uq_attestations_one_open, a partial index the migration keeps).
@Entity('attestations')
@Index('ix_attestations_broker_tenant', ['brokerId', 'tenantId', 'createdAt'])
@Index('ix_attestations_pc_id', ['pcAttestationId'])
@Index('ix_attestations_state_poll', ['state', 'nextPollAt'])
@Index('ix_attestations_broker_state_id', ['brokerId', 'state', 'id'])
@Index('ix_attestations_broker_id', ['brokerId', 'id'])
@Index('uq_attestations_request_token', ['requestToken'], { unique: true })
export class AttestationEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ name: 'pc_attestation_id', type: 'varchar', length: 100 })
  pcAttestationId: string;

  // The create form's one-time token: a replayed form finds the attestation it made.
  @Column({ name: 'request_token', type: 'varchar', length: 64 })
  requestToken: string;

  @Column({ name: 'signatory_first_name', type: 'varchar', length: 100 })
  signatoryFirstName: string;

  @Column({ name: 'signatory_last_name', type: 'varchar', length: 100 })
  signatoryLastName: string;

  @Column({ name: 'signatory_email', type: 'varchar', length: 254 })
  signatoryEmail: string;

  @Column({ name: 'signatory_phone', type: 'varchar', length: 40, nullable: true })
  signatoryPhone: string | null;

  @Column({ name: 'company_name', type: 'varchar', length: 300 })
  companyName: string;

  @Column({ type: 'varchar', length: 2 })
  country: string;

  @Column({ type: 'varchar', length: 10 })
  language: string;

  @Column({ name: 'auto_finalize', type: 'boolean', default: false })
  autoFinalize: boolean;

  @Column({ name: 'email_link', type: 'boolean', default: false })
  emailLink: boolean;

  @Column({ type: 'varchar', length: 24 })
  state: AttestationState;

  @Column({ type: 'varchar', length: 2000 })
  link: string;

  @Column({ name: 'component_url', type: 'varchar', length: 2000, nullable: true })
  componentUrl: string | null;

  @Column({ name: 'link_expires_at', type: TIMESTAMP, nullable: true })
  linkExpiresAt: Date | null;

  @Column({ name: 'template_id', type: 'varchar', length: 100, nullable: true })
  templateId: string | null;

  @Column({ name: 'agreement_link', type: 'varchar', length: 500, nullable: true })
  agreementLink: string | null;

  @Column({ name: 'created_by_user_id', type: 'integer', nullable: true })
  createdByUserId: number | null;

  @Column({ name: 'created_by_label', type: 'varchar', length: 300 })
  createdByLabel: string;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'accepted_at', type: TIMESTAMP, nullable: true })
  acceptedAt: Date | null;

  @Column({ name: 'finalize_requested_at', type: TIMESTAMP, nullable: true })
  finalizeRequestedAt: Date | null;

  @Column({ name: 'finalized_at', type: TIMESTAMP, nullable: true })
  finalizedAt: Date | null;

  @Column({ name: 'failed_at', type: TIMESTAMP, nullable: true })
  failedAt: Date | null;

  @Column({ name: 'cancelled_at', type: TIMESTAMP, nullable: true })
  cancelledAt: Date | null;

  @Column({ name: 'expired_at', type: TIMESTAMP, nullable: true })
  expiredAt: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  @Column({ name: 'last_error_kind', type: 'varchar', length: 40, nullable: true })
  lastErrorKind: string | null;

  @Column({ name: 'last_polled_at', type: TIMESTAMP, nullable: true })
  lastPolledAt: Date | null;

  @Column({ name: 'next_poll_at', type: TIMESTAMP, nullable: true })
  nextPollAt: Date | null;

  @Column({ name: 'emailed_at', type: TIMESTAMP, nullable: true })
  emailedAt: Date | null;

  @Column({ name: 'reminded_at', type: TIMESTAMP, nullable: true })
  remindedAt: Date | null;
}
