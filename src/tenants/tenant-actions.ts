import type { UserRole } from '../auth/user-role';
import { isWaiting } from './tenant-acceptance';
import type { TenantStatus } from './tenant-status';

export type TenantActionKey = 'create' | 'view' | 'agreement' | 'finalize' | 'acceptance';

export interface TenantAction {
  key: TenantActionKey;
  label: string;
  href: string;
  newTab: boolean;
  modal: boolean; // with JavaScript, opened in the page's dialog
}

const ACTIONS: Record<
  TenantActionKey,
  { label: string; path: (id: number) => string; newTab?: boolean; modal?: boolean }
> = {
  create: { label: 'Create attestation', path: (id) => `/tenants/${id}/attestations/new`, modal: true },
  view: { label: 'View attestation', path: (id) => `/tenants/${id}/attestation` },
  agreement: { label: 'View agreement', path: (id) => `/tenants/${id}/attestation/agreement`, newTab: true },
  finalize: { label: 'Finalize attestation', path: (id) => `/tenants/${id}/attestation/finalize` },
  acceptance: { label: 'Acceptance details', path: (id) => `/tenants/${id}/acceptance` },
};

// What a row's menu offers (DESIGN.md, the help page): Create in every state; View attestation and View agreement
// while an attestation of the app waits (on an accepted tenant too; View also once it is finalized, for its record);
// Finalize once the customer accepted (or to retry a failed finalize); the acceptance as Partner Center reports it,
// checked again when opened. Viewers only look; a tenant gone from Partner Center can no longer be attested or
// finalized, but its attestation can still be read. Each link leads to a page that exists: the tenant's attestation
// state says there is an attestation behind it.
export function tenantActions(
  tenant: { id: number; status: TenantStatus; removed: boolean; attestationState?: string | null },
  role: UserRole,
): TenantAction[] {
  const canChange = role !== 'viewer' && !tenant.removed;
  const state = tenant.attestationState ?? null;
  const keys: TenantActionKey[] = [];
  if (canChange) keys.push('create');
  if (state !== null && (isWaiting(state) || state === 'finalized')) keys.push('view');
  if (isWaiting(state)) keys.push('agreement');
  if (canChange && (state === 'accepted' || state === 'finalize_failed')) keys.push('finalize');
  keys.push('acceptance');
  return keys.map((key) => ({
    key,
    label: ACTIONS[key].label,
    href: ACTIONS[key].path(tenant.id),
    newTab: ACTIONS[key].newTab ?? false,
    modal: ACTIONS[key].modal ?? false,
  }));
}
