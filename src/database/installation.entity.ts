import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './column-types';

// The database's identity: its one row, made by its migration (installation.ts reads it before the app's
// container exists, so by hand).
@Entity('installation')
export class Installation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;
}
