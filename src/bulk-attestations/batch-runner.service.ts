import { Injectable, Logger } from '@nestjs/common';
import { AttestationsService, type AttestationCreator } from '../attestations/attestations.service';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokersRepository } from '../brokers/brokers.repository';
import { Clock } from '../common/clock';
import { DomainError, UnavailableError, ValidationFailedError } from '../common/domain-errors';
import { currentActor, runForBroker, type Actor } from '../common/request-context';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { RetryLaterError } from '../jobs/job-handler';
import { PartnerCenterError } from '../partner-center/partner-center.types';
import type { AttestationBatchRow } from './attestation-batch-row.entity';
import type { AttestationBatch } from './attestation-batch.entity';
import { rowForm, rowRequestToken } from './batch-row-request';
import { BatchSummaryMail } from './batch-summary-mail';
import { BulkAttestationsRepository } from './bulk-attestations.repository';

// When Partner Center asks to wait without saying how long.
const DEFAULT_WAIT_MS = 60_000;

// Partner Center busy or unreachable, or the database busy: the row is sent again later. (A timeout may have reached
// Microsoft: the same request id makes the second send the same operation.)
const isWorthWaiting = (error: unknown): boolean =>
  error instanceof UnavailableError ||
  (error instanceof PartnerCenterError &&
    (error.kind === 'rate_limited' ||
      error.kind === 'unavailable' ||
      error.kind === 'timeout' ||
      error.kind === 'invalid_response'));

const waitOf = (error: unknown): number =>
  error instanceof PartnerCenterError
    ? (error.details.retryAfterMs ?? DEFAULT_WAIT_MS)
    : error instanceof UnavailableError
      ? error.retryAfterSeconds * 1000
      : DEFAULT_WAIT_MS;

// What the partner reads in the row's error column: the single form's words.
const messageOf = (error: DomainError): string =>
  error instanceof ValidationFailedError ? Object.values(error.fields).join('; ') : error.message;

// Sends a running batch's rows: a few at once (BULK_ROWS_AT_ONCE), each taken by one conditional update so that no
// two senders take the same row, each created through the attestation service with the row's own request token.
// Stops taking rows as soon as the batch is paused or cancelled (rows in flight finish), and when Partner Center asks
// to wait: the rows taken meanwhile go back, and the job comes back after the Retry-After.
@Injectable()
export class BatchRunner {
  private readonly logger = new Logger(BatchRunner.name);
  private readonly rowsAtOnce: number;
  private readonly rowLeaseMs: number;

  constructor(
    private readonly sql: SqlService,
    private readonly repository: BulkAttestationsRepository,
    private readonly attestations: AttestationsService,
    private readonly brokers: BrokersRepository,
    private readonly audit: AuditTrail,
    private readonly summary: BatchSummaryMail,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.rowsAtOnce = config.bulk.rowsAtOnce;
    this.rowLeaseMs = config.bulk.rowLeaseMs;
  }

  // Runs in the job's broker context; returns once no row is left to take.
  async run(brokerId: number, batchId: number, signal: AbortSignal): Promise<void> {
    const batch = await this.repository.findBatch(brokerId, batchId);
    if (batch?.status !== 'running') return;
    await this.reclaimAbandoned(batch);
    const creator: AttestationCreator = {
      brokerId,
      brokerName: (await this.brokers.nameOf(brokerId)) ?? '',
      userId: batch.createdByUserId,
      label: batch.createdByLabel,
    };
    const jobActor = currentActor();
    const actor: Actor = {
      type: 'system',
      jobId: jobActor.type === 'system' ? jobActor.jobId : null,
      label: `attestation batch ${batch.id} of ${batch.createdByLabel}`,
    };
    // Why the senders stopped early: Partner Center asked to wait, or something unexpected.
    const stop: { wait?: { message: string; afterMs: number }; failure?: unknown } = {};
    const sender = async () => {
      while (!signal.aborted && !stop.wait && !stop.failure) {
        const row = await this.takeNext(batch);
        if (!row) return;
        try {
          await this.send(row, creator, actor);
        } catch (error) {
          await this.sql.transaction((tx) => this.repository.putBack(tx, row.id, this.clock.now()));
          if (isWorthWaiting(error)) stop.wait = { message: (error as Error).message, afterMs: waitOf(error) };
          else stop.failure = error;
        }
      }
    };
    await Promise.all(Array.from({ length: this.rowsAtOnce }, sender));
    if (stop.failure) throw stop.failure;
    if (stop.wait) throw new RetryLaterError(stop.wait.message, stop.wait.afterMs);
    if (signal.aborted || (await this.finishIfDone(batch, creator.brokerName))) return;
    // Rows another run is sending, or left by one that died after this run started: this job comes back once they
    // would count as abandoned, and sends again those that are.
    const oldest = await this.repository.oldestSending(batch.id);
    if (oldest)
      throw new RetryLaterError(
        'Rows of this batch are still being sent by another run, or were left by one that stopped',
        Math.max(0, oldest.getTime() + this.rowLeaseMs - this.clock.nowMs()) + 1000,
      );
  }

  // Rows left `sending` by an instance that died: sent again with the same token, their old claim given up.
  private async reclaimAbandoned(batch: AttestationBatch): Promise<void> {
    const now = this.clock.now();
    const stale = await this.sql.transaction((tx) =>
      this.repository.reclaimStale(tx, batch.id, new Date(now.getTime() - this.rowLeaseMs), now),
    );
    for (const row of stale) {
      this.logger.warn(`Batch ${batch.id}, row ${row.rowNumber}: its sender stopped mid-send; sending it again`);
      if (row.tenantId !== null) await this.attestations.abandonClaim(row.tenantId, rowRequestToken(row));
    }
  }

  // The first pending row this sender could take; null when none is left or the batch no longer runs.
  private async takeNext(batch: AttestationBatch): Promise<AttestationBatchRow | null> {
    for (;;) {
      const candidates = await this.repository.nextPending(batch.id, this.rowsAtOnce);
      if (candidates.length === 0) return null;
      for (const row of candidates) {
        const taken = await this.sql.transaction((tx) => this.repository.claimRow(tx, row.id, this.clock.now()));
        if (taken) return row;
      }
      // None taken: the other senders took them, or the batch was paused or cancelled meanwhile.
      if ((await this.repository.findBatch(batch.brokerId, batch.id))?.status !== 'running') return null;
    }
  }

  private async send(row: AttestationBatchRow, creator: AttestationCreator, actor: Actor): Promise<void> {
    let outcome: { status: 'created'; attestationId: number } | { status: 'failed'; error: string };
    try {
      if (row.tenantId === null) throw new ValidationFailedError({ microsoftTenantId: 'Unknown tenant' });
      const tenantId = row.tenantId;
      const attestation = await runForBroker(
        creator.brokerId,
        () => this.attestations.create(tenantId, rowForm(row), creator),
        actor,
      );
      outcome = { status: 'created', attestationId: attestation.id };
    } catch (error) {
      if (isWorthWaiting(error) || !(error instanceof DomainError)) throw error;
      outcome = { status: 'failed', error: messageOf(error) };
    }
    await this.sql.transaction((tx) => this.repository.recordOutcome(tx, row.id, outcome, this.clock.now()));
  }

  // True when the batch is finished now (by this run or an earlier one).
  private async finishIfDone(batch: AttestationBatch, brokerName: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      if (!(await this.repository.finishIfDone(tx, batch.id, this.clock.now())))
        return (await this.repository.findBatch(batch.brokerId, batch.id, tx))?.status !== 'running';
      const counts = (await this.repository.countsOf([batch.id], tx)).get(batch.id)!;
      await this.audit.record(tx, {
        action: 'attestation_batch.finished',
        subject: { type: 'attestation_batch', id: batch.id },
        data: { created: counts.created, failed: counts.failed },
      });
      await this.summary.send(tx, batch, counts, brokerName);
      return true;
    });
  }
}
