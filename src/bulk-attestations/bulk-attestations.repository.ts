import { Injectable } from '@nestjs/common';
import { SqlService, type Tx } from '../database/sql.service';
import { AttestationBatchRow } from './attestation-batch-row.entity';
import { AttestationBatch } from './attestation-batch.entity';

export type NewBatch = Pick<
  AttestationBatch,
  'brokerId' | 'source' | 'fileName' | 'fileSha256' | 'createdByUserId' | 'createdByLabel' | 'createdAt'
>;
export type NewBatchRow = Omit<AttestationBatchRow, 'id' | 'batchId' | 'updatedAt'>;

// Rows are written in slices: SQLite allows a limited number of bound values per statement.
const ROWS_PER_INSERT = 50;

// The attestation_batches and attestation_batch_rows tables.
@Injectable()
export class BulkAttestationsRepository {
  constructor(private readonly sql: SqlService) {}

  findBatch(brokerId: number, id: number, reader: Pick<Tx, 'manager'> = this.sql): Promise<AttestationBatch | null> {
    return reader.manager.findOneBy(AttestationBatch, { brokerId, id });
  }

  // A draft batch with all of its rows, as the preview shows them.
  async insertDraft(tx: Tx, batch: NewBatch, rows: NewBatchRow[]): Promise<AttestationBatch> {
    const saved = await tx.manager.save(
      AttestationBatch,
      tx.manager.create(AttestationBatch, {
        ...batch,
        status: 'draft',
        rowCount: rows.length,
        confirmedAt: null,
        finishedAt: null,
        summarySentAt: null,
      }),
    );
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const slice = rows.slice(start, start + ROWS_PER_INSERT);
      await tx.manager.insert(
        AttestationBatchRow,
        slice.map((row) => ({ ...row, batchId: saved.id, updatedAt: batch.createdAt })),
      );
    }
    return saved;
  }

  rowsOf(batchId: number, reader: Pick<Tx, 'manager'> = this.sql): Promise<AttestationBatchRow[]> {
    return reader.manager.find(AttestationBatchRow, { where: { batchId }, order: { rowNumber: 'ASC' } });
  }
}
