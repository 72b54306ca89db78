import { FIELD_LIMITS } from '../attestations/attestation-input';
import {
  COUNTRIES,
  DEFAULT_COUNTRY,
  DEFAULT_LANGUAGE,
  LANGUAGES,
  countryName,
  isCountry,
  languageName,
} from '../attestations/countries-languages';
import { MCA_BREADCRUMB } from '../tenants/mca-view';
import { TENANT_STATUS_LABELS, type TenantStatus } from '../tenants/tenant-status';
import type { AttestationBatchRow } from './attestation-batch-row.entity';
import { OPEN_ATTESTATION } from './batch-rows-validation';
import { BATCH_COLUMNS, COLUMN_LABELS, type BatchColumnKey } from './batch-template';
import { UPLOAD_PATH } from './bulk-upload.middleware';
import { PREVIEW_SHOWS, type BatchPreview, type PreviewShow } from './bulk-upload.service';
import { MAX_UPLOAD_ROWS } from './spreadsheet-reader';
import { selectionInputs, type TenantSelection } from './tenant-selection';

const number = (n: number): string => n.toLocaleString('en');
const plural = (n: number, one: string, many: string): string => `${number(n)} ${n === 1 ? one : many}`;

const templateUrl = (query: string, format: 'csv' | 'xlsx'): string =>
  `${UPLOAD_PATH}/template?format=${format}&${query}`;

const selectionQuery = (selection: TenantSelection): string =>
  new URLSearchParams(selectionInputs(selection).map(({ name, value }): [string, string] => [name, value])).toString();

export const selectionUrl = (selection: TenantSelection): string =>
  `${UPLOAD_PATH}/selection?${selectionQuery(selection)}`;

const NEW_TITLE = 'Upload attestations';
const WITHOUT_ACCEPTANCE = 'matching=all&status=none';

export function newBatchView() {
  return {
    title: NEW_TITLE,
    breadcrumbs: [MCA_BREADCRUMB],
    maxRows: number(MAX_UPLOAD_ROWS),
    columns: BATCH_COLUMNS.map((column) => column.header),
    templates: { csv: templateUrl(WITHOUT_ACCEPTANCE, 'csv'), xlsx: templateUrl(WITHOUT_ACCEPTANCE, 'xlsx') },
  };
}

// What the selection names, in words: "12 selected tenants", or "all 340 tenants with status … matching …".
function selectionText(selection: TenantSelection, size: number): string {
  if (selection.kind === 'ids') return plural(size, 'selected tenant', 'selected tenants');
  const { status, q } = selection.filter;
  const label = status === 'all' ? '' : (TENANT_STATUS_LABELS[status as TenantStatus] ?? status);
  return [
    `all ${plural(size, 'tenant', 'tenants')}`,
    label ? ` with status “${label}”` : '',
    q ? ` matching “${q}”` : '',
  ].join('');
}

export function selectionView(selection: TenantSelection, size: number) {
  const query = selectionQuery(selection);
  return {
    title: 'Create attestations',
    breadcrumbs: [MCA_BREADCRUMB],
    selectionText: selectionText(selection, size),
    size,
    tooMany: size > MAX_UPLOAD_ROWS,
    maxRows: number(MAX_UPLOAD_ROWS),
    inputs: selectionInputs(selection),
    templates: { csv: templateUrl(query, 'csv'), xlsx: templateUrl(query, 'xlsx') },
    countries: COUNTRIES,
    languages: LANGUAGES,
    limits: FIELD_LIMITS,
    values: { country: DEFAULT_COUNTRY, language: DEFAULT_LANGUAGE, autoFinalize: 'no' },
  };
}

const SHOW_LABELS: Record<PreviewShow, string> = {
  all: 'All rows',
  create: 'Will create',
  skip: 'Will skip',
  errors: 'Errors',
};

function rowView(row: AttestationBatchRow) {
  const errors = row.errors ? (JSON.parse(row.errors) as Partial<Record<BatchColumnKey, string>>) : {};
  return {
    rowNumber: row.rowNumber,
    microsoftTenantId: row.microsoftTenantId,
    companyName: row.companyName,
    signatory: `${row.signatoryFirstName} ${row.signatoryLastName}`.trim(),
    email: row.signatoryEmail,
    // Codes keep the column narrow; their names are in the title. A refused row keeps the text as written, which
    // names no country (Intl refuses it).
    country: row.country,
    countryName: isCountry(row.country) ? countryName(row.country) : row.country,
    language: row.language,
    languageName: languageName(row.language),
    autoFinalize: row.autoFinalize ? 'Yes' : 'No',
    status: row.status,
    outcome: row.status === 'pending' ? 'Will create' : row.status === 'skipped' ? 'Will skip' : 'Error',
    errors: Object.entries(errors).map(([column, message]) => ({
      column: COLUMN_LABELS[column as BatchColumnKey] ?? column,
      message,
    })),
    skipReason: row.skipReason,
    // An open attestation is shown where it is: the tenant's attestation page.
    attestationHref:
      row.skipReason === OPEN_ATTESTATION && row.tenantId !== null ? `/tenants/${row.tenantId}/attestation` : null,
  };
}

export function previewView(preview: BatchPreview, show: PreviewShow) {
  const { batch, counts } = preview;
  const base = `${UPLOAD_PATH}/${batch.id}/preview`;
  const href = (changes: { show?: PreviewShow; page?: number }): string => {
    const params = new URLSearchParams();
    const nextShow = changes.show ?? show;
    if (nextShow !== 'all') params.set('show', nextShow);
    if ((changes.page ?? 1) > 1) params.set('page', String(changes.page));
    const query = params.toString();
    return query ? `${base}?${query}` : base;
  };
  const total: Record<PreviewShow, number> = {
    all: batch.rowCount,
    create: counts.create,
    skip: counts.skip,
    errors: counts.errors,
  };
  return {
    title: 'Check the attestations',
    breadcrumbs: [MCA_BREADCRUMB],
    batch: {
      id: batch.id,
      fileName: batch.fileName,
      fromFile: batch.source === 'file',
      rowCount: number(batch.rowCount),
    },
    counts: { create: number(counts.create), skip: number(counts.skip), errors: number(counts.errors) },
    canConfirm: counts.create > 0,
    confirmLabel: `Create ${plural(counts.create, 'attestation', 'attestations')}`,
    confirmAction: `${UPLOAD_PATH}/${batch.id}/confirm`,
    tabs: (Object.keys(PREVIEW_SHOWS) as PreviewShow[]).map((key) => ({
      label: SHOW_LABELS[key],
      count: number(total[key]),
      href: href({ show: key, page: 1 }),
      current: key === show,
    })),
    rows: preview.rows.map(rowView),
    pagination:
      preview.pageCount > 1
        ? {
            page: preview.page,
            pageCount: preview.pageCount,
            prev: preview.page > 1 ? href({ page: preview.page - 1 }) : null,
            next: preview.page < preview.pageCount ? href({ page: preview.page + 1 }) : null,
          }
        : null,
  };
}

export function remindersText(sent: number, alreadyReminded: number): string {
  const already =
    alreadyReminded > 0 ? ` ${plural(alreadyReminded, 'link was', 'links were')} already reminded once.` : '';
  if (sent === 0 && alreadyReminded === 0)
    return 'No selected tenant has an emailed link awaiting acceptance: no reminder sent.';
  return `${plural(sent, 'reminder', 'reminders')} queued to the signatories.${already}`;
}
