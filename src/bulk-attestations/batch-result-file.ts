import { stringify } from 'csv-stringify/sync';
import { PassThrough, Readable } from 'node:stream';
import { STATE_LABELS } from '../attestations/attestation-state';
import { neutralise } from '../common/spreadsheet-cells';
import type { BatchRowStatus } from './batch-status';
import type { RowWithAttestation } from './batches.service';

export const RESULT_FORMATS = ['csv', 'xlsx'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

export const RESULT_CONTENT_TYPES: Record<ResultFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export const resultFileName = (batchId: number, format: ResultFormat): string =>
  `attestation-batch-${batchId}-results.${format}`;

const ROW_STATUS_LABELS: Record<BatchRowStatus, string> = {
  invalid: 'Not sent: invalid',
  skipped: 'Skipped',
  pending: 'Queued',
  sending: 'Sending',
  created: 'Created',
  failed: 'Failed',
  cancelled: 'Not sent: batch cancelled',
};

// The file's columns, one place for both formats. The status is the attestation's as it is now (a customer who
// accepted since the batch ran shows as such), or the row's when it made none.
const COLUMNS: readonly { header: string; width: number; value: (r: RowWithAttestation) => string | number | null }[] =
  [
    { header: 'Row', width: 6, value: ({ row }) => row.rowNumber },
    { header: 'Microsoft tenant ID', width: 38, value: ({ row }) => row.microsoftTenantId },
    { header: 'Company', width: 30, value: ({ row }) => row.companyName },
    { header: 'Signatory first name', width: 18, value: ({ row }) => row.signatoryFirstName },
    { header: 'Signatory last name', width: 18, value: ({ row }) => row.signatoryLastName },
    { header: 'Signatory email', width: 32, value: ({ row }) => row.signatoryEmail },
    { header: 'Attestation ID', width: 14, value: ({ row }) => row.attestationId },
    { header: 'Acceptance link', width: 60, value: ({ attestation }) => attestation?.link ?? null },
    {
      header: 'Status',
      width: 24,
      value: ({ row, attestation }) => (attestation ? STATE_LABELS[attestation.state] : ROW_STATUS_LABELS[row.status]),
    },
    { header: 'Error', width: 50, value: ({ row }) => row.error ?? errorsOf(row.errors) ?? row.skipReason },
  ];

function errorsOf(json: string | null): string | null {
  if (!json) return null;
  try {
    return Object.values(JSON.parse(json) as Record<string, string>).join('; ');
  } catch {
    return json;
  }
}

// Every cell a spreadsheet could read as a formula is neutralised, as in the reports: the file carries what partners
// and customers typed.
const cellsOf = (r: RowWithAttestation): (string | number | null)[] =>
  COLUMNS.map((column) => {
    const value = column.value(r);
    return typeof value === 'string' ? neutralise(value) : value;
  });

// The file streamed as it is read: one slice of rows in memory at a time.
export function resultFile(format: ResultFormat, slices: AsyncGenerator<RowWithAttestation[]>): Readable {
  return format === 'csv' ? Readable.from(csvChunks(slices)) : xlsxStream(slices);
}

async function* csvChunks(slices: AsyncGenerator<RowWithAttestation[]>): AsyncGenerator<string> {
  yield stringify([COLUMNS.map((c) => c.header)], { bom: true, record_delimiter: 'windows' });
  for await (const slice of slices) {
    yield stringify(
      slice.map((r) => cellsOf(r).map((cell) => (cell === null ? '' : String(cell)))),
      { record_delimiter: 'windows' },
    );
  }
}

function xlsxStream(slices: AsyncGenerator<RowWithAttestation[]>): Readable {
  const out = new PassThrough();
  void (async () => {
    const { stream: excelStream } = await import('exceljs');
    const workbook = new excelStream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet('Batch results', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = COLUMNS.map((column, i) => ({ header: column.header, key: `c${i}`, width: column.width }));
    sheet.getRow(1).font = { bold: true };
    for await (const slice of slices) for (const r of slice) sheet.addRow(cellsOf(r)).commit();
    sheet.commit();
    await workbook.commit();
  })().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}
