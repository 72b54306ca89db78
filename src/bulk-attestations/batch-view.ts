import { STATE_LABELS } from '../attestations/attestation-state';
import { MCA_BREADCRUMB, type Breadcrumb } from '../tenants/mca-view';
import type { AttestationBatch } from './attestation-batch.entity';
import { BATCH_STATUS_LABELS, type BatchProgress } from './batch-progress';
import type { BatchRowStatus } from './batch-status';
import type { RowCounts } from './bulk-attestations.repository';
import type { RowWithAttestation } from './batches.service';

export const BATCH_ROWS_PAGE = 50;

export const BATCHES_TRAIL: readonly Breadcrumb[] = [MCA_BREADCRUMB];
const BELOW_BATCHES_TRAIL: readonly Breadcrumb[] = [
  ...BATCHES_TRAIL,
  { href: '/attestation-batches', label: 'Attestation batches' },
];

const ROW_LABELS: Record<BatchRowStatus, string> = {
  invalid: 'Invalid: not sent',
  skipped: 'Skipped',
  pending: 'Queued',
  sending: 'Sending…',
  created: 'Link created',
  failed: 'Failed',
  cancelled: 'Not sent (cancelled)',
};

const sourceText = (batch: AttestationBatch): string =>
  batch.source === 'file'
    ? `from ${batch.fileName ?? 'an uploaded file'}`
    : batch.source === 'api'
      ? 'through the API'
      : 'from the MCA list';

export function batchesListView(page: {
  batches: { batch: AttestationBatch; counts: RowCounts }[];
  nextBefore: number | null;
}) {
  return {
    title: 'Attestation batches',
    breadcrumbs: BATCHES_TRAIL,
    batches: page.batches.map(({ batch, counts }) => ({
      id: batch.id,
      href: batch.status === 'draft' ? `/attestation-batches/${batch.id}/preview` : `/attestation-batches/${batch.id}`,
      createdAt: batch.createdAt,
      createdBy: batch.createdByLabel,
      source: sourceText(batch),
      status: batch.status,
      statusLabel: BATCH_STATUS_LABELS[batch.status],
      created: counts.created,
      failed: counts.failed,
      toSend: counts.pending + counts.sending + counts.created + counts.failed + counts.cancelled,
    })),
    nextUrl: page.nextBefore === null ? null : `/attestation-batches?before=${page.nextBefore}`,
  };
}

export function batchPageView(
  batch: AttestationBatch,
  progress: BatchProgress,
  rows: RowWithAttestation[],
  path: string,
) {
  const shown = rows.slice(0, BATCH_ROWS_PAGE);
  const last = shown[shown.length - 1];
  return {
    title: `Attestation batch ${batch.id}`,
    breadcrumbs: BELOW_BATCHES_TRAIL,
    batch: {
      id: batch.id,
      source: sourceText(batch),
      createdBy: batch.createdByLabel,
      confirmedAt: batch.confirmedAt,
      finishedAt: batch.finishedAt,
      statusLabel: BATCH_STATUS_LABELS[batch.status],
      canPause: batch.status === 'running',
      canResume: batch.status === 'paused',
      canCancel: batch.status === 'running' || batch.status === 'paused',
    },
    progress,
    selfUrl: path,
    rows: shown.map(({ row, attestation }) => ({
      rowNumber: row.rowNumber,
      companyName: row.companyName,
      microsoftTenantId: row.microsoftTenantId,
      signatory: `${row.signatoryFirstName} ${row.signatoryLastName}`.trim(),
      signatoryEmail: row.signatoryEmail,
      status: attestation ? STATE_LABELS[attestation.state] : ROW_LABELS[row.status],
      tenantHref: attestation ? `/tenants/${attestation.tenantId}/attestation` : null,
      link: attestation?.link ?? null,
      error: row.error ?? row.skipReason,
    })),
    nextRowsUrl: rows.length > BATCH_ROWS_PAGE && last ? `${path}?after=${last.row.rowNumber}#rows` : null,
  };
}
