import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// The scheduled backup's one row (id 1), for the whole installation.
@Entity('backup_settings')
export class BackupSettingsRecord {
  @PrimaryColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'boolean', default: false })
  enabled: boolean;

  // HH:MM in timeZone.
  @Column({ name: 'time_of_day', type: 'varchar', length: 5 })
  timeOfDay: string;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone: string;

  @Column({ type: 'varchar', length: 1000 })
  folder: string;

  @Column({ type: 'integer' })
  keep: number;

  @Column({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
