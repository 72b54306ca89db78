import { tenantActions } from './tenant-actions';
import type { TenantStatus } from './tenant-status';

const keys = (status: TenantStatus, role: 'admin' | 'operator' | 'viewer' = 'operator', removed = false) =>
  tenantActions({ id: 7, status, removed }, role).map((action) => action.key);

describe('tenantActions', () => {
  it('should offer only Create attestation when no attestation is open', () => {
    expect(keys('none')).toEqual(['create']);
    expect(keys('direct')).toEqual(['create']);
    expect(keys('attested')).toEqual(['create']);
  });

  it('should offer view, agreement and finalize while an attestation is pending', () => {
    expect(keys('pending')).toEqual(['create', 'view', 'agreement', 'finalize']);
  });

  it('should let a viewer only look', () => {
    expect(keys('none', 'viewer')).toEqual([]);
    expect(keys('pending', 'viewer')).toEqual(['view', 'agreement']);
  });

  it('should not attest or finalize a tenant removed from Partner Center', () => {
    expect(keys('none', 'admin', true)).toEqual([]);
    expect(keys('pending', 'admin', true)).toEqual(['view', 'agreement']);
  });

  it('should link to the attestation pages and open the agreement in a new tab', () => {
    expect(tenantActions({ id: 7, status: 'pending', removed: false }, 'admin')).toEqual([
      { key: 'create', label: 'Create attestation', href: '/tenants/7/attestations/new', newTab: false },
      { key: 'view', label: 'View attestation', href: '/tenants/7/attestation', newTab: false },
      { key: 'agreement', label: 'View agreement', href: '/tenants/7/attestation/agreement', newTab: true },
      { key: 'finalize', label: 'Finalize attestation', href: '/tenants/7/attestation/finalize', newTab: false },
    ]);
  });
});
