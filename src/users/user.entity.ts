import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Broker } from '../brokers/broker.entity';
import { TIMESTAMP } from '../database/column-types';
import type { UserRole } from '../auth/user-role';
import type { SignInMethod } from './sign-in-method';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @ManyToOne(() => Broker, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'broker_id' })
  broker?: Broker;

  // Stored lower-cased: sign-in by email is case-insensitive.
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16 })
  role: UserRole;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'last_sign_in_at', type: TIMESTAMP, nullable: true })
  lastSignInAt: Date | null;

  @Column({ name: 'last_sign_in_method', type: 'varchar', length: 16, nullable: true })
  lastSignInMethod: SignInMethod | null;
}
