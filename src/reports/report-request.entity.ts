import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP } from '../database/column-types';
import type { ReportFormat } from './report-columns';

export const REPORT_STATES = ['queued', 'running', 'sent', 'failed'] as const;
export type ReportState = (typeof REPORT_STATES)[number];

// How the file reached its recipients: attached as it is, gzip-compressed, or as a link to the download.
export type ReportDelivery = 'attached' | 'gzip' | 'link';

// One report: asked for by a user ("Email me the report when ready") or due by a schedule.
@Entity('report_requests')
export class ReportRequest {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'broker_id', type: 'integer' })
  brokerId: number;

  @Column({ name: 'requested_by', type: 'integer', nullable: true })
  requestedBy: number | null;

  @Column({ name: 'schedule_id', type: 'integer', nullable: true })
  scheduleId: number | null;

  @Column({ name: 'due_at', type: TIMESTAMP, nullable: true })
  dueAt: Date | null;

  // The recipients, comma-separated (a user's request has one).
  @Column({ type: 'varchar', length: 5000 })
  email: string;

  @Column({ type: 'varchar', length: 8 })
  format: ReportFormat;

  // ReportFilter as JSON.
  @Column({ type: 'varchar', length: 1000 })
  filter: string;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  state: ReportState;

  @Column({ name: 'rows_written', type: 'integer', default: 0 })
  rowsWritten: number;

  @Column({ name: 'rows_total', type: 'integer', nullable: true })
  rowsTotal: number | null;

  @Column({ name: 'file_path', type: 'varchar', length: 500, nullable: true })
  filePath: string | null;

  @Column({ name: 'file_size', type: 'integer', nullable: true })
  fileSize: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  delivery: ReportDelivery | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;

  @CreateDateColumn({ name: 'created_at', type: TIMESTAMP })
  createdAt: Date;

  @Column({ name: 'started_at', type: TIMESTAMP, nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: TIMESTAMP, nullable: true })
  finishedAt: Date | null;

  // The file and the row are deleted after this (report.prune).
  @Column({ name: 'expires_at', type: TIMESTAMP })
  expiresAt: Date;
}
