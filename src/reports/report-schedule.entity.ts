import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { StatusFilter } from '../tenants/mca-query';
import type { ReportFormat } from './report-columns';
import type { Frequency } from './schedule-time';

@Entity('report_schedules')
export class ReportSchedule {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 8 })
  frequency: Frequency;

  @Column({ type: 'integer', nullable: true })
  weekday: number | null;

  @Column({ name: 'day_of_month', type: 'integer', nullable: true })
  dayOfMonth: number | null;

  @Column({ name: 'time_of_day', type: 'varchar', length: 5 })
  timeOfDay: string;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone: string;

  // One address a line.
  @Column({ type: 'varchar', length: 5000 })
  recipients: string;

  @Column({ type: 'varchar', length: 8 })
  format: ReportFormat;

  @Column({ name: 'status_filter', type: 'varchar', length: 16, default: 'all' })
  statusFilter: StatusFilter;

  @Column({ type: 'boolean', default: false })
  paused: boolean;

  @Column({ name: 'next_run_at', type: TIMESTAMP })
  nextRunAt: Date;

  @Column({ name: 'last_run_at', type: TIMESTAMP, nullable: true })
  lastRunAt: Date | null;

  @Column({ name: 'last_result', type: 'varchar', length: 1000, nullable: true })
  lastResult: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: TIMESTAMP })
  updatedAt: Date;
}
