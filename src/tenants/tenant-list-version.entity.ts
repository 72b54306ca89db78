import { Column, Entity, PrimaryColumn } from 'typeorm';

// How many times a broker's tenants have come, gone, been renamed or changed status: what a page anchor was read
// at (src/tenants/page-anchors.ts). Written only by database triggers on `tenants` (migration TenantListVersions);
// the app only reads it.
@Entity('tenant_list_versions')
export class TenantListVersion {
  @PrimaryColumn({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'integer', default: 0 })
  version: number;
}
