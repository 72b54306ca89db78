import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// The table `attestation_claims`: one row per tenant while a request asks Partner Center to create its attestation
// (AttestationClaims); its SQL is AttestationsRepository's.
@Entity('attestation_claims')
export class AttestationClaimEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ name: 'request_token', type: 'varchar', length: 64 })
  requestToken: string;

  @Column({ name: 'claimed_at', type: TIMESTAMP })
  claimedAt: Date;
}
