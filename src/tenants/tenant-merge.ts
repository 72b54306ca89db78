import { contactLabel, type Contact } from '../common/contact';
import { deriveAcceptance, madeOutsideApp, type AcceptanceFacts } from './tenant-acceptance';
import type { TenantStatus } from './tenant-status';

// The newest partner-confirmed agreement Partner Center lists for a customer.
export interface PartnerAgreement {
  dateAgreed: Date | null;
  templateId: string | null;
  contact: Contact | null;
}

// What Partner Center said of a customer's acceptance in this run.
export interface FetchedAcceptance {
  directlySigned: boolean;
  partner: PartnerAgreement | null;
}

// What Partner Center told us about one customer in this run. Without `acceptance` the tenant keeps what we knew of
// it: it was not due for a check (an accepted tenant is re-checked about once a day), or the read failed and
// `unreadable` says why (never a reason to show "No acceptance provided").
export interface FetchedCustomer {
  tenantId: string;
  companyName: string;
  domain: string;
  acceptance?: FetchedAcceptance;
  unreadable?: string;
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
  directSeenAt: Date | null;
  partnerAccepted: boolean;
  partnerAgreedAt: Date | null;
  agreementTemplateId: string | null;
  agreementSignatory: string | null;
  attestedOutside: boolean;
  ownAgreementContact: string | null;
  attestationState: string | null;
  acceptanceCheckedAt: Date | null;
  acceptanceUnconfirmed: string | null;
  acceptedAt: Date | null;
  reacceptance: string | null;
  removedAt: Date | null;
}

// What the merge writes: the attestation's own columns (its state, the app's signatory) are the attestations'.
export type TenantFields = Omit<KnownTenant, 'id' | 'ownAgreementContact' | 'attestationState'>;

export interface TenantMergePlan {
  inserts: TenantFields[];
  updates: { id: number; changes: Partial<TenantFields> }[];
  removed: number;
  confirmed: number; // updates that only say Partner Center confirmed the acceptance again (not counted as updated)
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

export const UNCONFIRMED_MAX = 300;
// An unchanged acceptance's confirmation is written at most this often by a sync (a user's check always writes it).
export const CONFIRMED_REFRESH_MS = 12 * 60 * 60_000;
export const SIGNATORY_MAX = 400;

// What a tenant new to the app is known to have: nothing.
export const NOTHING_KNOWN: Omit<KnownTenant, 'id' | 'microsoftTenantId' | 'name' | 'domain'> = {
  status: 'none',
  directlySigned: false,
  directSeenAt: null,
  partnerAccepted: false,
  partnerAgreedAt: null,
  agreementTemplateId: null,
  agreementSignatory: null,
  attestedOutside: false,
  ownAgreementContact: null,
  attestationState: null,
  acceptanceCheckedAt: null,
  acceptanceUnconfirmed: null,
  acceptedAt: null,
  reacceptance: null,
  removedAt: null,
};

// The acceptance columns as Partner Center's answer sets them.
function acceptanceFields(acceptance: FetchedAcceptance, known: KnownTenant | undefined, now: Date) {
  const { directlySigned, partner } = acceptance;
  return {
    directlySigned,
    directSeenAt: directlySigned ? ((known?.directlySigned ? known.directSeenAt : null) ?? now) : null,
    partnerAccepted: partner !== null,
    partnerAgreedAt: partner?.dateAgreed ?? null,
    agreementTemplateId: partner?.templateId ?? null,
    agreementSignatory: partner?.contact ? contactLabel(partner.contact).slice(0, SIGNATORY_MAX) || null : null,
    attestedOutside: partner !== null && madeOutsideApp(partner.contact, known?.ownAgreementContact ?? null),
    acceptanceCheckedAt: now,
    acceptanceUnconfirmed: null,
  };
}

// The fields a customer should have now. A customer whose acceptance was not read keeps what we knew (marked not
// confirmed when the read failed); the attestation's columns are kept as they are (the attestations own them).
function targetFields(
  customer: FetchedCustomer,
  known: KnownTenant | undefined,
  now: Date,
  requiredFrom: Date | null,
): TenantFields {
  const before = known ?? { ...NOTHING_KNOWN, id: 0, microsoftTenantId: '', name: '', domain: '' };
  const acceptance = customer.acceptance
    ? acceptanceFields(customer.acceptance, known, now)
    : {
        directlySigned: before.directlySigned,
        directSeenAt: before.directSeenAt,
        partnerAccepted: before.partnerAccepted,
        partnerAgreedAt: before.partnerAgreedAt,
        agreementTemplateId: before.agreementTemplateId,
        agreementSignatory: before.agreementSignatory,
        attestedOutside: before.attestedOutside,
        acceptanceCheckedAt: before.acceptanceCheckedAt,
        acceptanceUnconfirmed:
          customer.unreadable !== undefined
            ? customer.unreadable.slice(0, UNCONFIRMED_MAX)
            : before.acceptanceUnconfirmed,
      };
  const facts: AcceptanceFacts = { ...acceptance, attestationState: before.attestationState };
  return {
    microsoftTenantId: customer.tenantId,
    name: customer.companyName,
    domain: customer.domain,
    ...acceptance,
    ...deriveAcceptance(facts, requiredFrom),
    removedAt: null,
  };
}

// The fields of `target` whose value differs from `known`'s (dates compared by their instant): what a write sets.
export function changedFields<T extends object>(known: T, target: Partial<T>): Partial<T> {
  const changes: Partial<T> = {};
  for (const key of Object.keys(target) as (keyof T)[]) {
    const [before, after] = [known[key], target[key]];
    const same =
      before instanceof Date || after instanceof Date
        ? sameInstant(before as Date | null, (after ?? null) as Date | null)
        : before === after;
    if (!same) changes[key] = after;
  }
  return changes;
}

// The writes that bring these customers' rows (already normalised: normaliseCustomers) in line with Partner
// Center: only rows that changed, and a tenant that had gone from Partner Center unmarked when it comes back.
export function planCustomerMerge(
  customers: readonly FetchedCustomer[],
  known: readonly KnownTenant[],
  now: Date,
  requiredFrom: Date | null = null,
  confirmEveryMs = CONFIRMED_REFRESH_MS,
): TenantMergePlan {
  const knownById = new Map(known.map((tenant) => [tenant.microsoftTenantId.toLowerCase(), tenant]));
  const plan: TenantMergePlan = { inserts: [], updates: [], removed: 0, confirmed: 0 };
  for (const customer of customers) {
    const existing = knownById.get(customer.tenantId);
    const target = targetFields(customer, existing, now, requiredFrom);
    if (!existing) {
      plan.inserts.push(target);
      continue;
    }
    const changes = changedFields(existing, target);
    const keys = Object.keys(changes);
    if (keys.length === 0) continue;
    if (keys.length === 1 && keys[0] === 'acceptanceCheckedAt') {
      // Confirmed again and nothing changed: written only twice a day, so an hourly sync of an unchanged broker
      // writes nothing (an accepted tenant is read at most twice a day anyway).
      if (existing.acceptanceCheckedAt && now.getTime() - existing.acceptanceCheckedAt.getTime() < confirmEveryMs)
        continue;
      plan.confirmed += 1;
    }
    plan.updates.push({ id: existing.id, changes });
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
  requiredFrom: Date | null = null,
): TenantMergePlan {
  const customers = normaliseCustomers(fetched);
  const plan = planCustomerMerge(customers, known, now, requiredFrom);
  const gone = goneTenants(known, new Set(customers.map((customer) => customer.tenantId)));
  for (const id of gone) plan.updates.push({ id, changes: { removedAt: now, reacceptance: null } });
  plan.removed = gone.length;
  return plan;
}

// Whether a customer's acceptance is read in this run: always while it is unknown, not accepted or not confirmed;
// an accepted one about once a day, each tenant at its own hour (12 to 24 hours after its last check, by its id),
// so that a large broker's re-checks spread over the day instead of all falling due at once.
const DAY_MS = 24 * 60 * 60_000;
export function acceptanceDue(known: KnownTenant | undefined, now: Date): boolean {
  if (!known || known.acceptanceCheckedAt === null || known.acceptanceUnconfirmed !== null) return true;
  if (known.status !== 'attested' && known.status !== 'direct') return true;
  const spread = ((Math.imul(known.id, 2_654_435_761) >>> 0) % 1_000) / 1_000;
  return now.getTime() - known.acceptanceCheckedAt.getTime() >= DAY_MS / 2 + spread * (DAY_MS / 2);
}
