import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { neutralise } from '../common/spreadsheet-cells';

// The columns of the template and of an uploaded file: the headers the template writes, and the other names a
// partner's own sheet may use (compared without case, spaces, punctuation or a note in parentheses).
export const BATCH_COLUMNS = [
  { key: 'microsoftTenantId', header: 'Microsoft tenant ID', aliases: ['tenant id', 'customer tenant id', 'tenant'] },
  { key: 'companyName', header: 'Company name', aliases: ['tenant name', 'customer name', 'customer', 'name'] },
  { key: 'signatoryFirstName', header: 'Signatory first name', aliases: ['first name', 'given name'] },
  { key: 'signatoryLastName', header: 'Signatory last name', aliases: ['last name', 'surname', 'family name'] },
  { key: 'signatoryEmail', header: 'Signatory email', aliases: ['email', 'email address', 'e-mail'] },
  { key: 'signatoryPhone', header: 'Signatory phone (optional)', aliases: ['phone', 'phone number'] },
  { key: 'country', header: 'Country (e.g. US or United States)', aliases: [] },
  { key: 'language', header: 'Language (e.g. en-US)', aliases: [] },
  { key: 'autoFinalize', header: 'Auto-finalize (Yes or No)', aliases: ['autofinalize'] },
] as const;

export type BatchColumnKey = (typeof BATCH_COLUMNS)[number]['key'];
export type BatchCells = Record<BatchColumnKey, string>;

export const COLUMN_LABELS = Object.fromEntries(BATCH_COLUMNS.map((c) => [c.key, c.header])) as Record<
  BatchColumnKey,
  string
>;

const normalise = (header: string): string =>
  header
    .replace(/\(.*\)/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');

const COLUMN_BY_NAME = new Map<string, BatchColumnKey>(
  BATCH_COLUMNS.flatMap((column) =>
    [column.header, column.key, ...column.aliases].map((name) => [normalise(name), column.key] as const),
  ),
);

// Where each known column is in the file's header row (in any order and case); unknown columns are left out.
// Null with the missing one when the file has no tenant id column: nothing can be matched without it.
export function mapHeader(
  header: readonly string[],
): { columns: Partial<Record<BatchColumnKey, number>> } | { missing: string } {
  const columns: Partial<Record<BatchColumnKey, number>> = {};
  header.forEach((name, index) => {
    const key = COLUMN_BY_NAME.get(normalise(name));
    if (key !== undefined && columns[key] === undefined) columns[key] = index;
  });
  if (columns.microsoftTenantId === undefined) return { missing: COLUMN_LABELS.microsoftTenantId };
  return { columns };
}

export function cellsOf(row: readonly string[], columns: Partial<Record<BatchColumnKey, number>>): BatchCells {
  return Object.fromEntries(
    BATCH_COLUMNS.map(({ key }) => {
      const index = columns[key];
      return [key, index === undefined ? '' : (row[index] ?? '').trim()];
    }),
  ) as BatchCells;
}

// A tenant in the template: its id and name filled in, the signatory's columns left for the partner.
export interface TemplateTenant {
  microsoftTenantId: string;
  name: string;
}

const templateRow = (tenant: TemplateTenant): string[] =>
  BATCH_COLUMNS.map(({ key }) =>
    key === 'microsoftTenantId' ? tenant.microsoftTenantId : key === 'companyName' ? neutralise(tenant.name) : '',
  );

// CSV with a BOM, so that Excel opens it as UTF-8 (as the reports do).
export function templateCsv(tenants: readonly TemplateTenant[]): Buffer {
  const text = stringify([BATCH_COLUMNS.map((c) => c.header), ...tenants.map(templateRow)], {
    record_delimiter: '\r\n',
  });
  return Buffer.from(`\uFEFF${text}`, 'utf8');
}

export async function templateXlsx(tenants: readonly TemplateTenant[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Tenants', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = BATCH_COLUMNS.map((column) => ({
    header: column.header,
    width: column.key === 'microsoftTenantId' ? 38 : Math.max(18, column.header.length + 2),
  }));
  sheet.getRow(1).font = { bold: true };
  for (const tenant of tenants) sheet.addRow(templateRow(tenant));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// The ticked tenants as a spreadsheet (the list's "Export" of a selection that is not a filter, which the reports
// cover): each tenant's name, Microsoft tenant id and status, neutralised as the reports are.
export interface ExportedTenant extends TemplateTenant {
  statusLabel: string;
}

export function selectionCsv(tenants: readonly ExportedTenant[]): Buffer {
  const rows = tenants.map((t) => [neutralise(t.name), t.microsoftTenantId, t.statusLabel]);
  const text = stringify([['Tenant', 'Microsoft tenant ID', 'Status'], ...rows], { record_delimiter: '\r\n' });
  return Buffer.from(`\uFEFF${text}`, 'utf8');
}
