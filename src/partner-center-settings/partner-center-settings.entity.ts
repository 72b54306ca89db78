import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { PartnerCenterMode } from '../partner-center/partner-center.types';

// How one broker reaches Partner Center. Secrets are stored sealed (SecretBox), never in clear.
@Entity('partner_center_settings')
export class PartnerCenterSettings {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_partner_center_settings_broker', { unique: true })
  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'varchar', length: 16 })
  mode: PartnerCenterMode;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64, default: '' })
  tenantId: string;

  @Column({ name: 'app_id', type: 'varchar', length: 64, default: '' })
  appId: string;

  @Column({ name: 'app_secret_sealed', type: 'text', nullable: true })
  appSecretSealed: string | null;

  // App+User: the refresh token of the Partner Center user who connected, and who that was.
  @Column({ name: 'refresh_token_sealed', type: 'text', nullable: true })
  refreshTokenSealed: string | null;

  @Column({ name: 'connected_user', type: 'varchar', length: 300, nullable: true })
  connectedUser: string | null;

  @Column({ name: 'connected_at', type: TIMESTAMP, nullable: true })
  connectedAt: Date | null;

  // "Require acceptance on or after": an acceptance older than this needs a new one (midnight UTC of the day).
  @Column({ name: 'require_accepted_from', type: TIMESTAMP, nullable: true })
  requireAcceptedFrom: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
