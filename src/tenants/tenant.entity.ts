import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { TenantStatus } from './tenant-status';

// A customer tenant of a broker, as synced from Partner Center. `status` is derived (deriveTenantStatus) and
// stored so that the list can filter and sort by index.
@Entity('tenants')
@Index('uq_tenants_broker_ms_tenant', ['brokerId', 'microsoftTenantId'], { unique: true })
@Index('ix_tenants_broker_name', ['brokerId', 'name'])
@Index('ix_tenants_broker_status_name', ['brokerId', 'status', 'name'])
@Index('ix_tenants_broker_accepted', ['brokerId', 'acceptedAt', 'name'])
export class Tenant {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ name: 'microsoft_tenant_id', type: 'varchar', length: 64 })
  microsoftTenantId: string;

  @Column({ type: 'varchar', length: 300 })
  name: string;

  @Column({ type: 'varchar', length: 300, default: '' })
  domain: string;

  @Column({ type: 'varchar', length: 16, default: 'none' })
  status: TenantStatus;

  @Column({ name: 'directly_signed', type: 'boolean', default: false })
  directlySigned: boolean;

  // Since when the app has seen the direct acceptance (Partner Center reports no date for it).
  @Column({ name: 'direct_seen_at', type: TIMESTAMP, nullable: true })
  directSeenAt: Date | null;

  // Partner Center lists a partner-confirmed agreement: made by this app or outside it (attestedOutside).
  @Column({ name: 'partner_accepted', type: 'boolean', default: false })
  partnerAccepted: boolean;

  @Column({ name: 'partner_agreed_at', type: TIMESTAMP, nullable: true })
  partnerAgreedAt: Date | null;

  @Column({ name: 'agreement_template_id', type: 'varchar', length: 100, nullable: true })
  agreementTemplateId: string | null;

  @Column({ name: 'agreement_signatory', type: 'varchar', length: 400, nullable: true })
  agreementSignatory: string | null;

  @Column({ name: 'attested_outside', type: 'boolean', default: false })
  attestedOutside: boolean;

  // The signatory (JSON) of the app's finalized attestation, by which a listed agreement is known as the app's own.
  @Column({ name: 'own_agreement_contact', type: 'varchar', length: 1000, nullable: true })
  ownAgreementContact: string | null;

  // When Partner Center last confirmed the acceptance, and why not when the last read failed.
  @Column({ name: 'acceptance_checked_at', type: TIMESTAMP, nullable: true })
  acceptanceCheckedAt: Date | null;

  @Column({ name: 'acceptance_unconfirmed', type: 'varchar', length: 300, nullable: true })
  acceptanceUnconfirmed: string | null;

  // The newest acceptance's date (deriveAcceptance): the list's "Acceptance provided" column.
  @Column({ name: 'accepted_at', type: TIMESTAMP, nullable: true })
  acceptedAt: Date | null;

  // 'needed' when every acceptance is older than the broker's "require acceptance on or after" date.
  @Column({ type: 'varchar', length: 16, nullable: true })
  reacceptance: string | null;

  // Set when the tenant no longer appears in Partner Center; such tenants are kept, never deleted.
  @Column({ name: 'removed_at', type: TIMESTAMP, nullable: true })
  removedAt: Date | null;

  // The part of the wait the tenant's latest attestation is in (or `finalized`), kept by the attestations feature.
  @Column({ name: 'attestation_state', type: 'varchar', length: 24, nullable: true })
  attestationState: string | null;

  @Column({ name: 'last_synced_at', type: TIMESTAMP, nullable: true })
  lastSyncedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
