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

  // When acceptance was provided (direct: when first seen signed, or Partner Center's dateAgreed; attested: finalized).
  @Column({ name: 'accepted_at', type: TIMESTAMP, nullable: true })
  acceptedAt: Date | null;

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
