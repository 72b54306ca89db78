import { deriveTenantStatus, type TenantStatus } from './tenant-status';

// What Partner Center told us about one customer in this run. `directlySigned` is null when it could not be read
// for this customer alone (e.g. no reseller relationship any more): the tenant keeps what we knew.
export interface FetchedCustomer {
  tenantId: string;
  companyName: string;
  domain: string;
  directlySigned: boolean | null;
  dateAgreed: Date | null;
  oddities?: string[]; // what had to be mended in Partner Center's data to keep this customer
}

// The part of a stored tenant the merge reads and may change.
export interface KnownTenant {
  id: number;
  microsoftTenantId: string;
  name: string;
  domain: string;
  status: TenantStatus;
  directlySigned: boolean;
  acceptedAt: Date | null;
  removedAt: Date | null;
}

export type TenantFields = Omit<KnownTenant, 'id'>;

export interface TenantMergePlan {
  inserts: TenantFields[];
  updates: { id: number; changes: Partial<TenantFields> }[];
  removed: number;
}

// Column sizes of the tenants table: text from Partner Center is cut to fit, never refused.
export const TENANT_ID_MAX = 64;
export const TENANT_TEXT_MAX = 300;

// Control characters and stray whitespace have no place in a name shown in a list.
const cleanText = (value: unknown, max: number): string =>
  typeof value === 'string'
    ? value
        .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, max)
        .trim()
    : '';

// Partner Center's customer list as rows we can store: ids normalised (GUIDs compare case-insensitively),
// duplicates and customers without an id dropped, a missing name replaced by the domain or the id. `seen` holds the
// ids already taken (by earlier batches of the same list) and gains this batch's.
export function normaliseCustomers(
  customers: readonly FetchedCustomer[],
  seen: Set<string> = new Set<string>(),
): FetchedCustomer[] {
  const kept: FetchedCustomer[] = [];
  for (const customer of customers) {
    const tenantId = cleanText(customer.tenantId, TENANT_ID_MAX).toLowerCase();
    if (tenantId === '' || seen.has(tenantId)) continue;
    seen.add(tenantId);
    const domain = cleanText(customer.domain, TENANT_TEXT_MAX).toLowerCase();
    const companyName = cleanText(customer.companyName, TENANT_TEXT_MAX) || domain || tenantId;
    kept.push({ ...customer, tenantId, companyName, domain });
  }
  return kept;
}

const sameInstant = (a: Date | null, b: Date | null): boolean =>
  a === null || b === null ? a === b : a.getTime() === b.getTime();

// The fields a customer should have now. Attestation facts are kept from the stored status (the attestation
// feature owns them); acceptance dates are kept when nothing about the acceptance changed, so a rerun is a no-op.
function targetFields(customer: FetchedCustomer, known: KnownTenant | undefined, now: Date): TenantFields {
  const directlySigned = customer.directlySigned ?? known?.directlySigned ?? false;
  const status = deriveTenantStatus({
    hasFinalizedAttestation: known?.status === 'attested',
    directlySigned,
    hasOpenAttestation: known?.status === 'pending',
  });
  let acceptedAt: Date | null = null;
  if (status === 'attested') acceptedAt = known?.acceptedAt ?? null;
  else if (status === 'direct') {
    const stillDirect = known?.status === 'direct' && known.directlySigned && known.acceptedAt !== null;
    acceptedAt = customer.dateAgreed ?? (stillDirect ? known.acceptedAt : now);
  }
  return {
    microsoftTenantId: customer.tenantId,
    name: customer.companyName,
    domain: customer.domain,
    status,
    directlySigned,
    acceptedAt,
    removedAt: null,
  };
}

function changedFields(known: KnownTenant, target: TenantFields): Partial<TenantFields> {
  const changes: Partial<TenantFields> = {};
  if (known.name !== target.name) changes.name = target.name;
  if (known.domain !== target.domain) changes.domain = target.domain;
  if (known.status !== target.status) changes.status = target.status;
  if (known.directlySigned !== target.directlySigned) changes.directlySigned = target.directlySigned;
  if (!sameInstant(known.acceptedAt, target.acceptedAt)) changes.acceptedAt = target.acceptedAt;
  if (known.removedAt !== null) changes.removedAt = null;
  return changes;
}

// The writes that bring these customers' rows (already normalised: normaliseCustomers) in line with Partner
// Center: only rows that changed, and a tenant that had gone from Partner Center unmarked when it comes back.
export function planCustomerMerge(
  customers: readonly FetchedCustomer[],
  known: readonly KnownTenant[],
  now: Date,
): TenantMergePlan {
  const knownById = new Map(known.map((tenant) => [tenant.microsoftTenantId.toLowerCase(), tenant]));
  const plan: TenantMergePlan = { inserts: [], updates: [], removed: 0 };
  for (const customer of customers) {
    const existing = knownById.get(customer.tenantId);
    const target = targetFields(customer, existing, now);
    if (!existing) {
      plan.inserts.push(target);
      continue;
    }
    const changes = changedFields(existing, target);
    if (Object.keys(changes).length > 0) plan.updates.push({ id: existing.id, changes });
  }
  return plan;
}

// Tenants gone from Partner Center (not among `seen`, normalised ids), to be marked removed: kept, never deleted.
export function goneTenants(
  known: readonly Pick<KnownTenant, 'id' | 'microsoftTenantId' | 'removedAt'>[],
  seen: ReadonlySet<string>,
): number[] {
  return known
    .filter((tenant) => tenant.removedAt === null && !seen.has(tenant.microsoftTenantId.toLowerCase()))
    .map((tenant) => tenant.id);
}

// The whole difference between Partner Center and our rows, as one plan of writes.
export function planTenantMerge(
  fetched: readonly FetchedCustomer[],
  known: readonly KnownTenant[],
  now: Date,
): TenantMergePlan {
  const customers = normaliseCustomers(fetched);
  const plan = planCustomerMerge(customers, known, now);
  const gone = goneTenants(known, new Set(customers.map((customer) => customer.tenantId)));
  for (const id of gone) plan.updates.push({ id, changes: { removedAt: now } });
  plan.removed = gone.length;
  return plan;
}

// Partner Center's dateAgreed is only worth a call when a tenant becomes directly signed: later runs keep the date.
export function needsAgreementDate(directlySigned: boolean | null, known: KnownTenant | undefined): boolean {
  if (directlySigned !== true || known?.status === 'attested') return false;
  return !(known?.status === 'direct' && known.directlySigned && known.acceptedAt !== null);
}
