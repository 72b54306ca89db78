import type { AttestationSummary } from '../attestations/attestations.repository';
import type { McaData } from '../tenants/mca.service';
import { DEFAULT_DIRECTION, type McaQuery } from '../tenants/mca-query';
import type { KnownTenant } from '../tenants/tenant-merge';
import { TENANT_STATUS_LABELS } from '../tenants/tenant-status';
import type { TenantRow } from '../tenants/tenants.repository';
import { API_VERSION_PATH } from './api-controller.decorator';
import { encodeCursor, nextLink } from './cursor';
import { DEFAULT_LIMIT } from './dto/list.dto';
import type { AttestationSummaryDto, TenantDetailDto, TenantDto, TenantListDto } from './dto/tenant.dto';

export const TENANTS_PATH = `/${API_VERSION_PATH}/tenants`;
export const tenantUrl = (id: number): string => `${TENANTS_PATH}/${id}`;
export const attestationUrl = (id: number): string => `/${API_VERSION_PATH}/attestations/${id}`;

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

// The page to come: its number and the last row shown, from which the page reads on where it can (keyset).
export const TENANT_CURSOR_KEYS = ['page', 'after'] as const;

export function tenantJson(row: TenantRow): TenantDto {
  return {
    id: row.id,
    name: row.name,
    domain: row.domain,
    microsoftTenantId: row.microsoftTenantId,
    status: row.status,
    statusLabel: TENANT_STATUS_LABELS[row.status],
    attestationState: row.attestationState,
    acceptedAt: iso(row.acceptedAt),
    directlySigned: row.directlySigned,
    partnerAccepted: row.partnerAccepted,
    attestedOutside: row.attestedOutside,
    agreementSignatory: row.agreementSignatory,
    reacceptanceNeeded: row.reacceptanceNeeded,
    unconfirmed: row.unconfirmed,
    removedAt: iso(row.removedAt),
    url: tenantUrl(row.id),
  };
}

// The next page's link: the filter as asked (only what differs from the defaults), the limit and the cursor.
const nextTenantsLink = (query: McaQuery, limit: number, cursor: string): string | null =>
  nextLink(
    TENANTS_PATH,
    {
      status: query.status !== 'all' ? query.status : undefined,
      q: query.q !== '' ? query.q : undefined,
      sort: query.sort !== 'name' ? query.sort : undefined,
      dir: query.dir !== DEFAULT_DIRECTION[query.sort] ? query.dir : undefined,
      limit: limit !== DEFAULT_LIMIT ? limit : undefined,
    },
    cursor,
  );

// `askedPage` past the last page (the tenants changed since the cursor was given) lists nothing: a client following
// `next` then stops instead of reading the last page again.
export function tenantListJson(data: McaData, askedPage: number): TenantListDto {
  const rows = askedPage > data.window.page ? [] : data.rows;
  const last = rows[rows.length - 1];
  const more = rows.length > 0 && data.window.page < data.window.pageCount;
  return {
    data: rows.map(tenantJson),
    next: more
      ? nextTenantsLink(data.query, data.query.size, encodeCursor({ page: data.window.page + 1, after: last.id }))
      : null,
  };
}

export function attestationSummaryJson(attestation: AttestationSummary): AttestationSummaryDto {
  return {
    id: attestation.id,
    status: attestation.state,
    createdAt: attestation.createdAt.toISOString(),
    url: attestationUrl(attestation.id),
  };
}

export function tenantDetailJson(tenant: KnownTenant, attestations: AttestationSummary[]): TenantDetailDto {
  return {
    id: tenant.id,
    name: tenant.name,
    domain: tenant.domain,
    microsoftTenantId: tenant.microsoftTenantId,
    status: tenant.status,
    statusLabel: TENANT_STATUS_LABELS[tenant.status],
    removedAt: iso(tenant.removedAt),
    acceptance: {
      acceptedAt: iso(tenant.acceptedAt),
      direct: tenant.directlySigned ? { seenAt: iso(tenant.directSeenAt) } : null,
      partner: tenant.partnerAccepted
        ? {
            agreedAt: iso(tenant.partnerAgreedAt),
            signatory: tenant.agreementSignatory,
            outside: tenant.attestedOutside,
          }
        : null,
      checkedAt: iso(tenant.acceptanceCheckedAt),
      unconfirmed: tenant.acceptanceUnconfirmed,
      reacceptanceNeeded: tenant.reacceptance !== null,
    },
    agreementVersion: tenant.agreementTemplateId,
    attestations: attestations.map(attestationSummaryJson),
  };
}
