import { Injectable } from '@nestjs/common';
import { In, LessThan, MoreThan } from 'typeorm';
import type { Dialect } from '../database/dialect';
import { SqlService, writeReturning, type Tx } from '../database/sql.service';
import type { SqlStatement } from '../tenants/tenants.repository';
import { AttestationBatchRow } from './attestation-batch-row.entity';
import { AttestationBatch } from './attestation-batch.entity';
import type { BatchRowStatus, BatchStatus } from './batch-status';

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

export type RowCounts = Record<BatchRowStatus, number>;

// A sent row's outcome: its attestation, or why it has none.
export type RowOutcome = { status: 'created'; attestationId: number } | { status: 'failed'; error: string };

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

  // The broker's batches, newest first, a page at a time (keyset on the id).
  listBatches(brokerId: number, beforeId: number | null, limit: number): Promise<AttestationBatch[]> {
    return this.sql.manager.find(AttestationBatch, {
      where: beforeId === null ? { brokerId } : { brokerId, id: LessThan(beforeId) },
      order: { id: 'DESC' },
      take: limit,
    });
  }

  // A batch's rows after `afterRowNumber`, in file order (keyset on the row number).
  rowsAfter(batchId: number, afterRowNumber: number, limit: number): Promise<AttestationBatchRow[]> {
    return this.sql.manager.find(AttestationBatchRow, {
      where: { batchId, rowNumber: MoreThan(afterRowNumber) },
      order: { rowNumber: 'ASC' },
      take: limit,
    });
  }

  // Rows by status of each of these batches, in one statement.
  async countsOf(
    batchIds: readonly number[],
    reader: Pick<Tx, 'run' | 'dialect'> = this.sql,
  ): Promise<Map<number, RowCounts>> {
    const counts = new Map<number, RowCounts>();
    if (batchIds.length === 0) return counts;
    const { sql, params } = rowCountsStatement(reader.dialect, batchIds);
    const rows = await reader.run<{ batch_id: number | string; status: BatchRowStatus; n: number | string }>(
      sql,
      params,
    );
    for (const id of batchIds) counts.set(id, emptyCounts());
    for (const row of rows) counts.get(Number(row.batch_id))![row.status] = Number(row.n);
    return counts;
  }

  async attestationIdsOf(batchId: number): Promise<number[]> {
    const rows = await this.sql.query<{ attestation_id: number | string }>`
      SELECT attestation_id FROM attestation_batch_rows WHERE batch_id = ${batchId} AND attestation_id IS NOT NULL`;
    return rows.map((row) => Number(row.attestation_id));
  }

  // The one change from draft to running: whoever confirms second (another tab, a replay) changes nothing.
  async confirm(tx: Tx, brokerId: number, batchId: number, now: Date): Promise<boolean> {
    const rows = await writeReturning<{ id: number }>(
      tx,
      `UPDATE attestation_batches SET status = 'running', confirmed_at = ${tx.dialect.placeholder(1)}
       WHERE id = ${tx.dialect.placeholder(2)} AND broker_id = ${tx.dialect.placeholder(3)} AND status = 'draft'
       RETURNING id`,
      [tx.dialect.encodeTimestamp(now), batchId, brokerId],
    );
    return rows.length > 0;
  }

  // A change of a batch's status from one of `from`; false when it was in none of them (someone else acted first).
  async moveBatch(
    tx: Tx,
    batchId: number,
    from: readonly BatchStatus[],
    to: BatchStatus,
    finishedAt: Date | null = null,
  ): Promise<boolean> {
    const { affected } = await tx.manager.update(
      AttestationBatch,
      { id: batchId, status: In([...from]) },
      finishedAt ? { status: to, finishedAt } : { status: to },
    );
    return Boolean(affected);
  }

  // Cancelling: the rows not yet sent will not be.
  async cancelPending(tx: Tx, batchId: number, now: Date): Promise<number> {
    const { affected } = await tx.manager.update(
      AttestationBatchRow,
      { batchId, status: 'pending' },
      { status: 'cancelled', updatedAt: now },
    );
    return affected ?? 0;
  }

  // Rows left `sending` since before `staleBefore` (their instance died mid-send) go back to pending.
  async reclaimStale(tx: Tx, batchId: number, staleBefore: Date, now: Date): Promise<AttestationBatchRow[]> {
    const stale = await tx.manager.find(AttestationBatchRow, {
      where: { batchId, status: 'sending', updatedAt: LessThan(staleBefore) },
    });
    if (stale.length === 0) return [];
    await tx.manager.update(
      AttestationBatchRow,
      { id: In(stale.map((row) => row.id)), status: 'sending' },
      { status: 'pending', updatedAt: now },
    );
    return stale;
  }

  // When the longest-sending row of the batch was taken; null when none is being sent.
  async oldestSending(batchId: number): Promise<Date | null> {
    const row = await this.sql.manager.findOne(AttestationBatchRow, {
      where: { batchId, status: 'sending' },
      order: { updatedAt: 'ASC' },
      select: { id: true, updatedAt: true },
    });
    return row?.updatedAt ?? null;
  }

  nextPending(batchId: number, limit: number): Promise<AttestationBatchRow[]> {
    return this.sql.manager.find(AttestationBatchRow, {
      where: { batchId, status: 'pending' },
      order: { rowNumber: 'ASC' },
      take: limit,
    });
  }

  // Takes a pending row for sending while its batch runs; false when it was taken, or its batch paused or cancelled.
  async claimRow(tx: Tx, rowId: number, now: Date): Promise<boolean> {
    const { sql, params } = claimRowStatement(tx.dialect, rowId, now);
    return (await writeReturning<{ id: number }>(tx, sql, params)).length > 0;
  }

  async recordOutcome(tx: Tx, rowId: number, outcome: RowOutcome, now: Date): Promise<void> {
    await tx.manager.update(
      AttestationBatchRow,
      { id: rowId, status: 'sending' },
      outcome.status === 'created'
        ? { status: 'created', attestationId: outcome.attestationId, error: null, updatedAt: now }
        : { status: 'failed', error: outcome.error.slice(0, 1000), updatedAt: now },
    );
  }

  // Partner Center asked to wait (or could not be reached): the row is sent again later.
  async putBack(tx: Tx, rowId: number, now: Date): Promise<void> {
    await tx.manager.update(
      AttestationBatchRow,
      { id: rowId, status: 'sending' },
      { status: 'pending', updatedAt: now },
    );
  }

  // The running batch is finished once no row is left to send, and its summary is due once: true for the caller
  // that made the change (it writes the summary email in the same transaction).
  async finishIfDone(tx: Tx, batchId: number, now: Date): Promise<boolean> {
    const { sql, params } = finishStatement(tx.dialect, batchId, now);
    return (await writeReturning<{ id: number }>(tx, sql, params)).length > 0;
  }
}

// The statements a running batch repeats per row or per page view, built apart so that their plans are tested
// (test/e2e/batch-query-plans.e2e-spec.ts).
export function rowCountsStatement(dialect: Dialect, batchIds: readonly number[]): SqlStatement {
  const p = dialect.placeholder;
  return {
    sql: `SELECT batch_id, status, count(*) AS n FROM attestation_batch_rows
       WHERE batch_id IN (${batchIds.map((_, i) => p(i + 1)).join(', ')}) GROUP BY batch_id, status`,
    params: [...batchIds],
  };
}

// Takes a pending row for sending while its batch runs.
export function claimRowStatement(dialect: Dialect, rowId: number, now: Date): SqlStatement {
  const p = dialect.placeholder;
  return {
    sql: `UPDATE attestation_batch_rows SET status = 'sending', updated_at = ${p(1)}
       WHERE id = ${p(2)} AND status = 'pending'
       AND EXISTS (SELECT 1 FROM attestation_batches b WHERE b.id = attestation_batch_rows.batch_id AND b.status = 'running')
       RETURNING id`,
    params: [dialect.encodeTimestamp(now), rowId],
  };
}

export function finishStatement(dialect: Dialect, batchId: number, now: Date): SqlStatement {
  const p = dialect.placeholder;
  const at = dialect.encodeTimestamp(now);
  return {
    sql: `UPDATE attestation_batches SET status = 'finished', finished_at = ${p(1)}, summary_sent_at = ${p(2)}
       WHERE id = ${p(3)} AND status = 'running' AND summary_sent_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM attestation_batch_rows r WHERE r.batch_id = ${p(4)} AND r.status IN ('pending', 'sending'))
       RETURNING id`,
    params: [at, at, batchId, batchId],
  };
}

export const emptyCounts = (): RowCounts => ({
  invalid: 0,
  skipped: 0,
  pending: 0,
  sending: 0,
  created: 0,
  failed: 0,
  cancelled: 0,
});
