import type { UserRole } from '../auth/user-role';
import type { TenantStatus } from './tenant-status';

export type TenantActionKey = 'create' | 'view' | 'agreement' | 'finalize';

export interface TenantAction {
  key: TenantActionKey;
  label: string;
  href: string;
  newTab: boolean;
}

// The attestation pages are the next capability; these are their URLs.
const ACTIONS: Record<TenantActionKey, { label: string; path: (id: number) => string; newTab?: boolean }> = {
  create: { label: 'Create attestation', path: (id) => `/tenants/${id}/attestations/new` },
  view: { label: 'View attestation', path: (id) => `/tenants/${id}/attestation` },
  agreement: { label: 'View agreement', path: (id) => `/tenants/${id}/attestation/agreement`, newTab: true },
  finalize: { label: 'Finalize attestation', path: (id) => `/tenants/${id}/attestation/finalize` },
};

// What a row's menu offers (DESIGN.md): Create in every state; View, View agreement and Finalize while an
// attestation is open (awaiting acceptance or accepted: both are `pending` today). Viewers only look; a tenant
// gone from Partner Center can no longer be attested or finalized, but its attestation can still be read.
export function tenantActions(
  tenant: { id: number; status: TenantStatus; removed: boolean },
  role: UserRole,
): TenantAction[] {
  const canChange = role !== 'viewer' && !tenant.removed;
  const keys: TenantActionKey[] = [];
  if (canChange) keys.push('create');
  if (tenant.status === 'pending') {
    keys.push('view', 'agreement');
    if (canChange) keys.push('finalize');
  }
  return keys.map((key) => ({
    key,
    label: ACTIONS[key].label,
    href: ACTIONS[key].path(tenant.id),
    newTab: ACTIONS[key].newTab ?? false,
  }));
}
