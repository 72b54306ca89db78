import { Column, Entity, PrimaryColumn } from 'typeorm';
import { binaryColumn } from '../database/column-types';

// A piece of a finished report's file (ReportFiles): stored in the database so that every instance reads it.
@Entity('report_file_chunks')
export class ReportFileChunk {
  @PrimaryColumn({ name: 'request_id', type: 'integer' })
  requestId: number;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column(binaryColumn())
  bytes: Buffer;
}
