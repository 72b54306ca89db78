import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// One broker's "Sign in with Microsoft". Empty registration fields mean the installation's (ENTRA_* variables).
// The client secret is stored sealed (SecretBox), never in clear.
@Entity('entra_settings')
export class EntraSettings {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_entra_settings_broker', { unique: true })
  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'boolean', default: false })
  enabled: boolean;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64, default: '' })
  tenantId: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64, default: '' })
  clientId: string;

  @Column({ name: 'client_secret_sealed', type: 'text', nullable: true })
  clientSecretSealed: string | null;

  // Whether a person of the broker's tenant with no user here is created as a viewer on their first sign-in.
  @Column({ name: 'allow_new_users', type: 'boolean', default: false })
  allowNewUsers: boolean;

  @Column({ name: 'password_sign_in', type: 'boolean', default: true })
  passwordSignIn: boolean;

  // When an admin of the broker last signed in with Microsoft: proof that turning passwords off locks nobody out.
  @Column({ name: 'admin_signed_in_at', type: TIMESTAMP, nullable: true })
  adminSignedInAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
