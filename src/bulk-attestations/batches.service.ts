import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AttestationsService } from '../attestations/attestations.service';
import type { Attestation } from '../attestations/attestation.record';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import {
  ConflictError,
  NotFoundInBrokerError,
  ValidationFailedError,
  type FieldMessages,
} from '../common/domain-errors';
import { SqlService, type Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import type { AttestationBatchRow } from './attestation-batch-row.entity';
import type { AttestationBatch } from './attestation-batch.entity';
import { rowCells, validateBatchRows, type BatchRowInput } from './batch-rows-validation';
import { BulkUploadService } from './bulk-upload.service';
import { BATCH_RUN_JOB } from './batch-run.handler';
import { progressOf, type BatchProgress } from './batch-progress';
import type { BatchStatus } from './batch-status';
import { BulkAttestationsRepository } from './bulk-attestations.repository';

export const BATCH_LIST_PAGE = 20;

// A row with the attestation it made, as it is now (the customer may have accepted since).
export interface RowWithAttestation {
  row: AttestationBatchRow;
  attestation: Attestation | null;
}

// What the partner does with a confirmed batch: it runs until every row is sent; it may be paused and resumed, or
// cancelled (rows not yet sent are not sent; a row in flight finishes). Each change is one conditional update, so
// two tabs or a replay cannot do it twice, with its audit event in the same transaction.
@Injectable()
export class BatchesService {
  constructor(
    private readonly sql: SqlService,
    private readonly scope: BrokerScope,
    private readonly repository: BulkAttestationsRepository,
    private readonly attestations: AttestationsService,
    private readonly queue: JobQueue,
    private readonly audit: AuditTrail,
    private readonly upload: BulkUploadService,
    private readonly clock: Clock,
  ) {}

  async batch(batchId: number): Promise<AttestationBatch> {
    const batch = Number.isSafeInteger(batchId)
      ? await this.repository.findBatch(this.scope.brokerId(), batchId)
      : null;
    if (!batch) throw new NotFoundInBrokerError('That attestation batch');
    return batch;
  }

  // Draft to running, once: true for the confirm that did it (its rows are queued), false for a second one.
  async confirm(batchId: number): Promise<boolean> {
    await this.batch(batchId);
    return this.sql.transaction(async (tx) => {
      const batch = await this.repository.findBatch(this.scope.brokerId(), batchId, tx);
      return batch !== null && (await this.confirmIn(tx, batch));
    });
  }

  // A batch from a program's rows (the API): checked like an upload, stored and confirmed in one transaction, so
  // that one call starts it; refused whole when a row is wrong.
  async createConfirmed(
    inputs: readonly BatchRowInput[],
    createdBy: Pick<AttestationBatch, 'createdByUserId' | 'createdByLabel'>,
  ): Promise<AttestationBatch> {
    const brokerId = this.scope.brokerId();
    const cells = inputs.map((input, index) => ({
      rowNumber: index + 1,
      cells: rowCells(input.microsoftTenantId.trim(), '', input),
    }));
    const tenants = await this.upload.tenantsByMicrosoftId(cells.map((row) => row.cells.microsoftTenantId));
    const rows = validateBatchRows(cells, tenants);
    // The upload's checks and words, each error named by the JSON row it is about.
    const errors: FieldMessages = Object.fromEntries(
      rows.flatMap((row, index) =>
        Object.entries(JSON.parse(row.errors ?? '{}') as FieldMessages).map(([field, message]) => [
          `rows[${index}].${field}`,
          message,
        ]),
      ),
    );
    if (Object.keys(errors).length > 0) throw new ValidationFailedError(errors);
    const sha256 = createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
    const id = await this.sql.transaction(async (tx) => {
      const draft = await this.repository.insertDraft(
        tx,
        { brokerId, source: 'api', fileName: null, fileSha256: sha256, ...createdBy, createdAt: this.clock.now() },
        rows,
      );
      await this.confirmIn(tx, draft);
      return draft.id;
    });
    return this.batch(id);
  }

  private async confirmIn(tx: Tx, batch: AttestationBatch): Promise<boolean> {
    if (!(await this.repository.confirm(tx, batch.brokerId, batch.id, this.clock.now()))) return false;
    const counts = (await this.repository.countsOf([batch.id], tx)).get(batch.id)!;
    await this.audit.record(tx, {
      action: 'attestation_batch.confirmed',
      subject: { type: 'attestation_batch', id: batch.id },
      data: {
        source: batch.source,
        rows: batch.rowCount,
        toCreate: counts.pending,
        skipped: counts.skipped,
        invalid: counts.invalid,
        fileName: batch.fileName,
        fileSha256: batch.fileSha256,
      },
    });
    await this.enqueue(tx, batch);
    return true;
  }

  pause(batchId: number): Promise<void> {
    return this.move(batchId, ['running'], 'paused', 'attestation_batch.paused', 'Only a running batch can be paused.');
  }

  resume(batchId: number): Promise<void> {
    return this.move(
      batchId,
      ['paused'],
      'running',
      'attestation_batch.resumed',
      'Only a paused batch can be resumed.',
      (tx, batch) => this.enqueue(tx, batch),
    );
  }

  cancel(batchId: number): Promise<void> {
    return this.move(
      batchId,
      ['running', 'paused'],
      'cancelled',
      'attestation_batch.cancelled',
      'This batch has already finished or been cancelled.',
      async (tx, batch) => {
        const cancelled = await this.repository.cancelPending(tx, batch.id, this.clock.now());
        return { cancelledRows: cancelled };
      },
    );
  }

  private async move(
    batchId: number,
    from: readonly BatchStatus[],
    to: BatchStatus,
    action: string,
    refusal: string,
    then?: (tx: Tx, batch: AttestationBatch) => Promise<Record<string, unknown> | void>,
  ): Promise<void> {
    const batch = await this.batch(batchId);
    await this.sql.transaction(async (tx) => {
      const finishedAt = to === 'cancelled' ? this.clock.now() : null;
      if (!(await this.repository.moveBatch(tx, batch.id, from, to, finishedAt))) throw new ConflictError(refusal);
      const data = (await then?.(tx, batch)) ?? {};
      await this.audit.record(tx, {
        action,
        subject: { type: 'attestation_batch', id: batch.id },
        data: { from: batch.status, to, ...data },
      });
    });
  }

  private async enqueue(tx: Tx, batch: AttestationBatch): Promise<void> {
    await this.queue.enqueue(tx, BATCH_RUN_JOB, { batchId: batch.id }, { brokerId: batch.brokerId });
  }

  // The counts of the batch page: rows by outcome, and how far their attestations have come.
  async progress(batch: AttestationBatch): Promise<BatchProgress> {
    const counts = (await this.repository.countsOf([batch.id])).get(batch.id)!;
    const milestones = await this.attestations.milestones(
      batch.brokerId,
      await this.repository.attestationIdsOf(batch.id),
    );
    return progressOf(batch, counts, milestones);
  }

  // The broker's batches, newest first, with their counts of rows (two statements per page).
  async list(beforeId: number | null) {
    const batches = await this.repository.listBatches(this.scope.brokerId(), beforeId, BATCH_LIST_PAGE + 1);
    const page = batches.slice(0, BATCH_LIST_PAGE);
    const counts = await this.repository.countsOf(page.map((b) => b.id));
    return {
      batches: page.map((batch) => ({ batch, counts: counts.get(batch.id)! })),
      nextBefore: batches.length > BATCH_LIST_PAGE ? page[page.length - 1].id : null,
    };
  }

  // A page of rows in file order, each with its attestation (one statement for the page's attestations).
  async rows(batch: AttestationBatch, afterRowNumber: number, limit: number): Promise<RowWithAttestation[]> {
    const rows = await this.repository.rowsAfter(batch.id, afterRowNumber, limit);
    const ids = rows.flatMap((row) => (row.attestationId === null ? [] : [row.attestationId]));
    const attestations = await this.attestations.byIds(batch.brokerId, ids);
    return rows.map((row) => ({
      row,
      attestation: row.attestationId === null ? null : (attestations.get(row.attestationId) ?? null),
    }));
  }

  // Every row, a slice at a time (the result file): memory holds one slice.
  async *allRows(batch: AttestationBatch, sliceSize = 500): AsyncGenerator<RowWithAttestation[]> {
    let after = 0;
    for (;;) {
      const slice = await this.rows(batch, after, sliceSize);
      if (slice.length === 0) return;
      yield slice;
      if (slice.length < sliceSize) return;
      after = slice[slice.length - 1].row.rowNumber;
    }
  }
}
