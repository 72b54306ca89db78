import { parseAttestationInput } from '../attestations/attestation-input';
import { COUNTRIES, LANGUAGES, type Option } from '../attestations/countries-languages';
import type { FieldMessages } from '../common/domain-errors';
import { TENANT_STATUS_LABELS, type TenantStatus } from '../tenants/tenant-status';
import type { BatchCells, BatchColumnKey } from './batch-template';
import type { NewBatchRow } from './bulk-attestations.repository';

// What the preview needs to know of a tenant named by a row, found in the partner's own broker only.
export interface BatchTenant {
  id: number;
  microsoftTenantId: string;
  name: string;
  status: TenantStatus;
  removed: boolean;
  reacceptanceNeeded: boolean;
}

// A row as a program sends it (the API): the signatory for one tenant, named by its Microsoft tenant id.
export interface BatchRowInput {
  microsoftTenantId: string;
  signatoryFirstName: string;
  signatoryLastName: string;
  signatoryEmail: string;
  signatoryPhone?: string | null;
  country: string;
  language: string;
  autoFinalize?: boolean;
}

// A row's cells from a signatory given as values (the API's rows, the one signatory of a selection), so that they are
// checked as an uploaded file's cells are.
export const rowCells = (
  microsoftTenantId: string,
  companyName: string,
  signatory: Omit<BatchRowInput, 'microsoftTenantId'>,
): BatchCells => ({
  microsoftTenantId,
  companyName,
  signatoryFirstName: signatory.signatoryFirstName,
  signatoryLastName: signatory.signatoryLastName,
  signatoryEmail: signatory.signatoryEmail,
  signatoryPhone: signatory.signatoryPhone ?? '',
  country: signatory.country,
  language: signatory.language,
  autoFinalize: signatory.autoFinalize ? 'yes' : 'no',
});

export interface BatchInputRow {
  rowNumber: number;
  cells: BatchCells;
}

// Another broker's tenant reads as unknown: whether it exists elsewhere is not this partner's to learn.
export const UNKNOWN_TENANT = 'No tenant with this Microsoft tenant ID in your Partner Center account';
export const MISSING_TENANT = 'Enter the Microsoft tenant ID';
export const duplicateOf = (rowNumber: number): string =>
  `This tenant is also on row ${rowNumber}: list each tenant once`;
export const OPEN_ATTESTATION = 'An attestation is already open for this tenant';
export const REMOVED_TENANT = 'This tenant was removed from Partner Center';
export const alreadyAccepted = (status: TenantStatus): string => `Already accepted: ${TENANT_STATUS_LABELS[status]}`;

// Country and language as a code or as the name the form's lists show, in any case.
const lookup = (options: readonly Option[]): ((value: string) => string) => {
  const byText = new Map<string, string>();
  for (const option of options) {
    byText.set(option.value.toLowerCase(), option.value);
    byText.set(option.label.toLowerCase(), option.value);
  }
  return (value) => byText.get(value.trim().toLowerCase()) ?? value;
};
const countryCode = lookup(COUNTRIES);
const languageCode = lookup(LANGUAGES);

// Yes or no in the words a sheet may hold; blank is No (as the form's default would be chosen by most).
const YES = new Set(['yes', 'y', 'true', '1', 'x']);
const NO = new Set(['no', 'n', 'false', '0', '']);
const yesNo = (value: string): string => {
  const word = value.trim().toLowerCase();
  return YES.has(word) ? 'yes' : NO.has(word) ? 'no' : value;
};

// The single form's fields a row does not have: every bulk attestation emails its link, and has no request token
// of its own (the batch's row is what makes it once).
const NOT_IN_A_ROW = new Set(['emailLink', 'requestToken']);
const ROW_REQUEST_TOKEN = '00000000-0000-4000-8000-000000000000';

// Column lengths of attestation_batch_rows: a refused value is kept as entered, cut to fit, so the preview can show
// it beside its message. PostgreSQL refuses a NUL in text.
const STORED_LENGTH: Record<Exclude<BatchColumnKey, 'autoFinalize'>, number> = {
  microsoftTenantId: 100,
  companyName: 300,
  signatoryFirstName: 100,
  signatoryLastName: 100,
  signatoryEmail: 254,
  signatoryPhone: 40,
  country: 100,
  language: 100,
};
const stored = (key: keyof typeof STORED_LENGTH, value: string): string =>
  [...value.replace(/\u0000/g, '')].slice(0, STORED_LENGTH[key]).join('');

// Each row checked with the single attestation form's rules and messages (parseAttestationInput), then against the
// partner's tenants: unknown, listed twice (the later row refused), already accepted, already open, removed (those
// skipped). `tenants` is keyed by the Microsoft tenant id in lower case.
export function validateBatchRows(
  rows: readonly BatchInputRow[],
  tenants: ReadonlyMap<string, BatchTenant>,
): NewBatchRow[] {
  const firstRowOf = new Map<string, number>();
  return rows.map(({ rowNumber, cells }) => {
    const key = cells.microsoftTenantId.toLowerCase();
    const tenant = tenants.get(key) ?? null;
    const { input, errors: formErrors } = parseAttestationInput({
      ...cells,
      companyName: cells.companyName || tenant?.name,
      country: countryCode(cells.country),
      language: languageCode(cells.language),
      autoFinalize: yesNo(cells.autoFinalize),
      emailLink: 'yes',
      requestToken: ROW_REQUEST_TOKEN,
    });
    const errors: FieldMessages = Object.fromEntries(
      Object.entries(formErrors).filter(([field]) => !NOT_IN_A_ROW.has(field)),
    );
    // Without a tenant a blank company name has no name to fall back on: the tenant id's message is the one to fix.
    if (!tenant && cells.companyName === '') delete errors.companyName;
    const earlier = key === '' ? undefined : firstRowOf.get(key);
    if (key === '') errors.microsoftTenantId = MISSING_TENANT;
    else if (earlier !== undefined) errors.microsoftTenantId = duplicateOf(earlier);
    else if (!tenant) errors.microsoftTenantId = UNKNOWN_TENANT;
    if (key !== '' && earlier === undefined) firstRowOf.set(key, rowNumber);
    const invalid = Object.keys(errors).length > 0;
    const skipReason = invalid || !tenant ? null : skipReasonOf(tenant);
    return {
      rowNumber,
      tenantId: tenant?.id ?? null,
      microsoftTenantId: stored('microsoftTenantId', tenant?.microsoftTenantId ?? cells.microsoftTenantId),
      companyName: stored('companyName', input.companyName),
      signatoryFirstName: stored('signatoryFirstName', input.signatoryFirstName),
      signatoryLastName: stored('signatoryLastName', input.signatoryLastName),
      signatoryEmail: stored('signatoryEmail', input.signatoryEmail),
      signatoryPhone: input.signatoryPhone === null ? null : stored('signatoryPhone', input.signatoryPhone),
      country: stored('country', input.country),
      language: stored('language', input.language),
      autoFinalize: input.autoFinalize,
      status: invalid ? 'invalid' : skipReason ? 'skipped' : 'pending',
      errors: invalid ? JSON.stringify(errors) : null,
      skipReason,
      attestationId: null,
      error: null,
    };
  });
}

// An accepted tenant that must accept again (the broker's re-acceptance date) may be asked once more, as on the form.
function skipReasonOf(tenant: BatchTenant): string | null {
  if (tenant.removed) return REMOVED_TENANT;
  if (tenant.status === 'pending') return OPEN_ATTESTATION;
  if ((tenant.status === 'attested' || tenant.status === 'direct') && !tenant.reacceptanceNeeded)
    return alreadyAccepted(tenant.status);
  return null;
}
