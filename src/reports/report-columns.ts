import type { LatestAttestation } from '../attestations/attestations.repository';
import { TENANT_STATUS_LABELS, type TenantStatus } from '../tenants/tenant-status';
import type { FilteredTenant } from '../tenants/tenants.repository';
import { isoUtc, neutralise } from '../common/spreadsheet-cells';

export const REPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

// A tenant of the report (the partner-confirmed agreement's signatory as Partner Center lists it; why Microsoft did
// not confirm the acceptance at the last sync), with its latest attestation here.
export type ReportRow = Omit<FilteredTenant, 'listed'> & { attestation: LatestAttestation | null };

export type Cell = string | Date | null;

export interface ReportColumn {
  header: string;
  width: number; // in characters, for XLSX
  kind: 'text' | 'date';
  value(row: ReportRow): Cell;
}

const HOW_ACCEPTED: Partial<Record<TenantStatus, string>> = {
  attested: 'Partner attestation',
  direct: 'Directly by the customer',
};

const ATTESTATION_STATES: Record<string, string> = {
  awaiting_acceptance: 'Awaiting acceptance',
  accepted: 'Accepted, not finalized',
  finalized: 'Finalized',
  cancelled: 'Cancelled',
  expired: 'Expired',
  finalize_failed: 'Finalization failed',
};

const text = (header: string, width: number, value: (row: ReportRow) => string | null | undefined): ReportColumn => ({
  header,
  width,
  kind: 'text',
  value: (row) => value(row) ?? null,
});

const date = (header: string, value: (row: ReportRow) => Date | null | undefined): ReportColumn => ({
  header,
  width: 22,
  kind: 'date',
  value: (row) => value(row) ?? null,
});

// One row per tenant; dates in UTC, as the headers say.
export const REPORT_COLUMNS: readonly ReportColumn[] = [
  text('Tenant name', 40, (r) => r.name),
  text('Microsoft tenant ID', 38, (r) => r.microsoftTenantId),
  text('Domain', 34, (r) => r.domain),
  text('Status', 30, (r) => TENANT_STATUS_LABELS[r.status]),
  text('Acceptance provided by', 24, (r) => HOW_ACCEPTED[r.status]),
  date('Acceptance provided at (UTC)', (r) => r.acceptedAt),
  text('Re-acceptance needed', 20, (r) => (r.reacceptanceNeeded ? 'Yes' : 'No')),
  text('Attested outside MCA Manager', 26, (r) =>
    r.status === 'attested' ? (r.attestedOutside ? 'Yes' : 'No') : null,
  ),
  text('Also accepted directly', 22, (r) => (r.status === 'attested' && r.directlySigned ? 'Yes' : null)),
  text('Agreement signatory (Partner Center)', 36, (r) => (r.status === 'attested' ? r.agreementSignatory : null)),
  text('Not confirmed by Microsoft', 40, (r) => r.unconfirmed),
  text('Signatory (latest attestation)', 30, (r) => r.attestation?.signatoryName),
  text('Signatory email', 32, (r) => r.attestation?.signatoryEmail),
  text('Attestation created by', 30, (r) => r.attestation?.createdBy),
  date('Attestation created at (UTC)', (r) => r.attestation?.createdAt),
  date('Attestation finalized at (UTC)', (r) => r.attestation?.finalizedAt),
  text(
    'Attestation Status',
    24,
    (r) => r.attestation && (ATTESTATION_STATES[r.attestation.state] ?? r.attestation.state),
  ),
  date('Removed from Partner Center at (UTC)', (r) => r.removedAt),
];

export function csvCells(row: ReportRow): string[] {
  return REPORT_COLUMNS.map((column) => {
    const value = column.value(row);
    if (value === null) return '';
    return value instanceof Date ? isoUtc(value) : neutralise(value);
  });
}

export function xlsxCells(row: ReportRow): (string | Date | null)[] {
  return REPORT_COLUMNS.map((column) => {
    const value = column.value(row);
    return typeof value === 'string' ? neutralise(value) : value;
  });
}

// A field in quotes when it holds a quote, a comma or a line break, its quotes doubled (RFC 4180).
const CSV_QUOTED = /[",\r\n]/;
const csvField = (value: string): string => (CSV_QUOTED.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

// One CSV record with its CRLF line end (RFC 4180).
export const csvRecord = (cells: readonly string[]): string => `${cells.map(csvField).join(',')}\r\n`;

// A batch's records as one string, joined once: appended record by record it was a string of a thousand pieces,
// slower to build and to encode for the file.
export const csvRecords = (rows: readonly ReportRow[]): string => rows.map((row) => csvRecord(csvCells(row))).join('');
