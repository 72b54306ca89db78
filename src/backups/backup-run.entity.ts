import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BIGINT_AS_NUMBER, TIMESTAMP } from '../database/column-types';

export type BackupTrigger = 'command line' | 'scheduled';
export type BackupRunState = 'running' | 'succeeded' | 'failed';

// A backup made, scheduled or from the command line, with its size, duration and result.
@Entity('backup_runs')
export class BackupRun {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 16 })
  trigger: BackupTrigger;

  @Column({ type: 'varchar', length: 16 })
  state: BackupRunState;

  @Column({ type: 'varchar', length: 1000 })
  file: string;

  @Column({ type: 'bigint', nullable: true, transformer: BIGINT_AS_NUMBER })
  bytes: number | null;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs: number | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  error: string | null;

  @Column({ name: 'started_at', type: TIMESTAMP })
  startedAt: Date;

  @Column({ name: 'finished_at', type: TIMESTAMP, nullable: true })
  finishedAt: Date | null;
}
