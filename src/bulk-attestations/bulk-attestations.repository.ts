import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { SqlService, type Tx } from '../database/sql.service';
import { BATCH_ROW_STATUSES, type BatchRowStatus } from './batch-status';
import { AttestationBatchRow } from './attestation-batch-row.entity';
import { AttestationBatch } from './attestation-batch.entity';

export type NewBatch = Pick<
  AttestationBatch,
  'brokerId' | 'source' | 'fileName' | 'fileSha256' | 'createdByUserId' | 'createdByLabel' | 'createdAt'
>;
export type NewBatchRow = Omit<AttestationBatchRow, 'id' | 'batchId' | 'updatedAt'>;

// In the order insertDraft binds them: hand-written, as TypeORM's insert took a second for 5,000 rows (the write
// transaction, which holds SQLite's one writer, now takes about a tenth of that).
const ROW_COLUMNS = [
  'batch_id',
  'row_number',
  'tenant_id',
  'microsoft_tenant_id',
  'company_name',
  'signatory_first_name',
  'signatory_last_name',
  'signatory_email',
  'signatory_phone',
  'country',
  'language',
  'auto_finalize',
  'status',
  'errors',
  'skip_reason',
  'attestation_id',
  'error',
  'updated_at',
];

// Rows are written in slices: a statement binds at most 32,766 values on SQLite and 65,535 on PostgreSQL; 18
// columns by 500 rows stays far below both, and 5,000 rows are 10 statements (the write transaction stays short).
const ROWS_PER_INSERT = 500;

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
    const updatedAt = tx.dialect.encodeTimestamp(batch.createdAt);
    const flag = (value: boolean): boolean | number => (tx.dialect.name === 'sqlite' ? Number(value) : value);
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const slice = rows.slice(start, start + ROWS_PER_INSERT);
      const values = slice.flatMap((row) => [
        saved.id,
        row.rowNumber,
        row.tenantId,
        row.microsoftTenantId,
        row.companyName,
        row.signatoryFirstName,
        row.signatoryLastName,
        row.signatoryEmail,
        row.signatoryPhone,
        row.country,
        row.language,
        flag(row.autoFinalize),
        row.status,
        row.errors,
        row.skipReason,
        row.attestationId,
        row.error,
        updatedAt,
      ]);
      const tuples = slice.map((_, r) => {
        const first = r * ROW_COLUMNS.length;
        return `(${ROW_COLUMNS.map((_, c) => tx.dialect.placeholder(first + c + 1)).join(', ')})`;
      });
      await tx.run(
        `INSERT INTO attestation_batch_rows (${ROW_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
        values,
      );
    }
    return saved;
  }

  rowsOf(batchId: number, reader: Pick<Tx, 'manager'> = this.sql): Promise<AttestationBatchRow[]> {
    return reader.manager.find(AttestationBatchRow, { where: { batchId }, order: { rowNumber: 'ASC' } });
  }

  // How many rows of the batch are in each status (read from ix_attestation_batch_rows_status).
  async rowCounts(batchId: number): Promise<Record<BatchRowStatus, number>> {
    const counts = Object.fromEntries(BATCH_ROW_STATUSES.map((status) => [status, 0])) as Record<
      BatchRowStatus,
      number
    >;
    const rows = await this.sql.query<{ status: string; n: number | string }>`
      SELECT status, count(*) AS n FROM attestation_batch_rows WHERE batch_id = ${batchId} GROUP BY status`;
    for (const row of rows)
      if ((BATCH_ROW_STATUSES as readonly string[]).includes(row.status))
        counts[row.status as BatchRowStatus] = Number(row.n);
    return counts;
  }

  // A page of the batch's rows in file order, of the given statuses or all of them.
  rowsPage(
    batchId: number,
    statuses: readonly BatchRowStatus[] | null,
    page: { offset: number; limit: number },
  ): Promise<AttestationBatchRow[]> {
    return this.sql.manager.find(AttestationBatchRow, {
      where: statuses ? { batchId, status: In([...statuses]) } : { batchId },
      order: { rowNumber: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
  }
}
