import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { TenantStatus } from './tenant-status';

// How many of a broker's tenants are in each status, split by removed from Partner Center or not. Written only by
// database triggers on `tenants` (migration McaPage), so that every writer keeps it right; the app only reads it.
@Entity('tenant_status_counts')
@Index('uq_tenant_status_counts', ['brokerId', 'status', 'removed'], { unique: true })
export class TenantStatusCount {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'varchar', length: 16 })
  status: TenantStatus;

  @Column({ type: 'boolean' })
  removed: boolean;

  @Column({ name: 'tenant_count', type: 'integer', default: 0 })
  tenantCount: number;
}
