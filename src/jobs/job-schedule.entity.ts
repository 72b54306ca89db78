import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER, TIMESTAMP } from '../database/column-types';

// A recurring job's schedule (RecurringJobs): every `every_ms`, or by a 5-field cron in `time_zone`.
@Entity('job_schedules')
export class JobSchedule {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 100 })
  type: string;

  // The job's payload, JSON.
  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'every_ms', type: 'bigint', nullable: true, transformer: BIGINT_AS_NUMBER })
  everyMs: number | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  cron: string | null;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone: string;

  @Column({ name: 'next_run_at', type: TIMESTAMP })
  nextRunAt: Date;

  @Column({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
