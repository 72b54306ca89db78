import { Column, Entity, PrimaryColumn } from 'typeorm';

// The table `audit_chain_heads`: each chain's last place and hash, whose row lock orders concurrent appends. Its SQL
// is AuditRepository's.
@Entity('audit_chain_heads')
export class AuditChainHeadEntity {
  @PrimaryColumn({ name: 'chain_id', type: 'integer' })
  chainId: number;

  @Column({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
