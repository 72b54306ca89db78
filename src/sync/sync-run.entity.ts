import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';

export const SYNC_RUN_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];
export type SyncTrigger = 'manual' | 'schedule';

// One attempt to bring a broker's tenants in line with Partner Center. At most one row per broker is
// `running` (a unique partial index in the migration): that row is the lease, kept alive by `heartbeatAt`.
@Entity('sync_runs')
@Index('ix_sync_runs_broker_status_finished', ['brokerId', 'status', 'finishedAt'])
export class SyncRun {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'varchar', length: 16 })
  status: SyncRunStatus;

  @Column({ name: 'triggered_by', type: 'varchar', length: 16 })
  triggeredBy: SyncTrigger;

  // Which app instance holds the lease (host:pid:random), so that only it writes the run's progress.
  @Column({ type: 'varchar', length: 100 })
  owner: string;

  @Column({ name: 'started_at', type: TIMESTAMP })
  startedAt: Date;

  @Column({ name: 'heartbeat_at', type: TIMESTAMP })
  heartbeatAt: Date;

  @Column({ name: 'finished_at', type: TIMESTAMP, nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  processed: number;

  @Column({ type: 'integer', nullable: true })
  total: number | null;

  @Column({ type: 'integer', default: 0 })
  created: number;

  @Column({ type: 'integer', default: 0 })
  updated: number;

  @Column({ type: 'integer', default: 0 })
  removed: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;

  // Customers whose Partner Center data had to be mended to be kept, and the first of their ids (space-separated).
  @Column({ name: 'unusual_count', type: 'integer', default: 0 })
  unusualCount: number;

  @Column({ name: 'unusual_ids', type: 'varchar', length: 2000, nullable: true })
  unusualIds: string | null;

  // Customers whose acceptance could not be read (kept as known, marked not confirmed): how many, which, and why.
  @Column({ name: 'unread_count', type: 'integer', default: 0 })
  unreadCount: number;

  @Column({ name: 'unread_ids', type: 'varchar', length: 2000, nullable: true })
  unreadIds: string | null;

  @Column({ name: 'unread_reason', type: 'varchar', length: 1000, nullable: true })
  unreadReason: string | null;
}
