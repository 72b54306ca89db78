import { parseAttestationInput } from '../attestations/attestation-input';
import { isOpen, type AttestationState } from '../attestations/attestation-state';
import type { FieldMessages } from '../common/domain-errors';
import type { KnownTenant } from '../tenants/tenant-merge';
import type { NewBatchRow } from './bulk-attestations.repository';

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

// Any valid token: the row's real one is derived from the row once it has an id (batch-row-request.ts).
const PLACEHOLDER_TOKEN = '00000000-0000-4000-8000-000000000000';

// Why a tenant gets no new attestation although its row is fine: the preview's "skip" reasons.
function skipReason(tenant: Pick<KnownTenant, 'status' | 'attestationState'>): string | null {
  if (tenant.status === 'attested' || tenant.status === 'direct') return 'This tenant has already accepted';
  if (tenant.attestationState && isOpen(tenant.attestationState as AttestationState))
    return 'This tenant already has an open attestation';
  return null;
}

// Each row checked with the single form's rules and words, and against the broker's tenants: the errors by
// `rows[i].field`, or the rows to store (those of tenants that accepted already, or have an open attestation,
// skipped with the reason).
export function checkBatchRows(
  inputs: readonly BatchRowInput[],
  tenants: ReadonlyMap<string, KnownTenant>,
): { rows: NewBatchRow[]; errors: FieldMessages } {
  const errors: FieldMessages = {};
  const rows: NewBatchRow[] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, index) => {
    const at = (field: string) => `rows[${index}].${field}`;
    const microsoftTenantId = input.microsoftTenantId.trim().toLowerCase();
    const tenant = tenants.get(microsoftTenantId);
    const { input: parsed, errors: fieldErrors } = parseAttestationInput({
      signatoryFirstName: input.signatoryFirstName,
      signatoryLastName: input.signatoryLastName,
      signatoryEmail: input.signatoryEmail,
      signatoryPhone: input.signatoryPhone ?? '',
      companyName: tenant?.name ?? 'unknown',
      country: input.country,
      language: input.language,
      autoFinalize: input.autoFinalize ? 'yes' : 'no',
      emailLink: 'yes',
      requestToken: PLACEHOLDER_TOKEN,
    });
    for (const [field, message] of Object.entries(fieldErrors)) errors[at(field)] = message;
    const first = seen.get(microsoftTenantId);
    if (!tenant || tenant.removedAt)
      errors[at('microsoftTenantId')] = 'No tenant of yours has this Microsoft tenant ID';
    else if (first !== undefined)
      errors[at('microsoftTenantId')] = `This tenant is listed twice: rows[${first}] names it already`;
    seen.set(microsoftTenantId, first ?? index);
    if (!tenant || Object.keys(errors).some((key) => key.startsWith(`rows[${index}].`))) return;
    const skipped = skipReason(tenant);
    rows.push({
      rowNumber: index + 1,
      tenantId: tenant.id,
      microsoftTenantId: tenant.microsoftTenantId,
      companyName: tenant.name,
      signatoryFirstName: parsed.signatoryFirstName,
      signatoryLastName: parsed.signatoryLastName,
      signatoryEmail: parsed.signatoryEmail,
      signatoryPhone: parsed.signatoryPhone,
      country: parsed.country,
      language: parsed.language,
      autoFinalize: parsed.autoFinalize,
      status: skipped ? 'skipped' : 'pending',
      errors: null,
      skipReason: skipped,
      attestationId: null,
      error: null,
    });
  });
  return { rows, errors };
}
