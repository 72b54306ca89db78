import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { UniqueScope } from './job-handler';
import type { JobState } from './jobs.repository';

// One job of the queue (jobs.repository.ts holds its statements). Its indexes, a partial unique one for the unique
// key among them, are the migrations': the queue's statements are planned on them.
@Entity('jobs')
export class Job {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100 })
  type: string;

  // JSON.
  @Column({ type: 'text' })
  payload: string;

  // No foreign key: a job whose broker was deleted must end as dead with a readable error, not vanish.
  @Column({ name: 'broker_id', type: 'integer', nullable: true })
  brokerId: number | null;

  @Column({ type: 'varchar', length: 16 })
  state: JobState;

  @Column({ name: 'unique_key', type: 'varchar', length: 200, nullable: true })
  uniqueKey: string | null;

  @Column({ name: 'unique_scope', type: 'varchar', length: 16, default: 'forever' })
  uniqueScope: UniqueScope;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'max_attempts', type: 'integer', default: 5 })
  maxAttempts: number;

  @Column({ name: 'run_at', type: TIMESTAMP })
  runAt: Date;

  // The worker instance holding the lease, and until when.
  @Column({ name: 'locked_by', type: 'varchar', length: 100, nullable: true })
  lockedBy: string | null;

  @Column({ name: 'locked_until', type: TIMESTAMP, nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'progress_done', type: 'integer', nullable: true })
  progressDone: number | null;

  @Column({ name: 'progress_total', type: 'integer', nullable: true })
  progressTotal: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 2000, nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'started_at', type: TIMESTAMP, nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: TIMESTAMP, nullable: true })
  finishedAt: Date | null;
}
