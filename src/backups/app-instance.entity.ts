import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

// A running app instance and its heartbeat (InstancePresence), so that `restore` can refuse a database in use.
@Entity('app_instances')
export class AppInstanceRecord {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  id: string;

  @Column({ type: 'varchar', length: 255 })
  host: string;

  @Column({ type: 'integer' })
  pid: number;

  @Column({ name: 'started_at', type: TIMESTAMP })
  startedAt: Date;

  @Column({ name: 'seen_at', type: TIMESTAMP })
  seenAt: Date;
}
