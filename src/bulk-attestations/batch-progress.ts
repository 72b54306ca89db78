import type { AttestationMilestones } from '../attestations/attestations.repository';
import type { AttestationBatch } from './attestation-batch.entity';
import type { BatchStatus } from './batch-status';
import type { RowCounts } from './bulk-attestations.repository';

export interface BatchProgress {
  status: BatchStatus;
  // Rows the batch sends (the preview's valid rows): the progress bar's whole.
  toSend: number;
  // Rows with an outcome (created, failed, or cancelled before being sent): the bar's filled part.
  done: number;
  percent: number;
  queued: number;
  sending: number;
  created: number;
  emailed: number;
  accepted: number;
  finalized: number;
  failed: number;
  cancelled: number;
  skipped: number;
  invalid: number;
  // Still changing: the page refreshes itself.
  active: boolean;
}

export const BATCH_STATUS_LABELS: Record<BatchStatus, string> = {
  draft: 'Draft (not confirmed)',
  running: 'Running',
  paused: 'Paused',
  cancelled: 'Cancelled',
  finished: 'Sent',
};

export function progressOf(
  batch: Pick<AttestationBatch, 'status'>,
  counts: RowCounts,
  milestones: AttestationMilestones,
): BatchProgress {
  const toSend = counts.pending + counts.sending + counts.created + counts.failed + counts.cancelled;
  const done = counts.created + counts.failed + counts.cancelled;
  return {
    status: batch.status,
    toSend,
    done,
    percent: toSend === 0 ? 100 : Math.floor((done * 100) / toSend),
    queued: counts.pending,
    sending: counts.sending,
    created: counts.created,
    emailed: milestones.emailed,
    accepted: milestones.accepted,
    finalized: milestones.finalized,
    failed: counts.failed,
    cancelled: counts.cancelled,
    skipped: counts.skipped,
    invalid: counts.invalid,
    active: batch.status === 'running',
  };
}
