import { tenantActions } from './tenant-actions';
import type { TenantStatus } from './tenant-status';

const keys = (
  status: TenantStatus,
  attestationState: string | null = null,
  role: 'admin' | 'operator' | 'viewer' = 'operator',
  removed = false,
) => tenantActions({ id: 7, status, removed, attestationState }, role).map((action) => action.key);

describe('tenantActions', () => {
  it('should offer Create attestation and the acceptance when there is no attestation', () => {
    expect(keys('none')).toEqual(['create', 'acceptance']);
    expect(keys('direct')).toEqual(['create', 'acceptance']);
    expect(keys('attested')).toEqual(['create', 'acceptance']);
  });

  it('should offer view and agreement while the customer has not accepted', () => {
    expect(keys('pending', 'awaiting_acceptance')).toEqual(['create', 'view', 'agreement', 'acceptance']);
    expect(keys('pending', 'expired')).toEqual(['create', 'view', 'agreement', 'acceptance']);
  });

  it('should offer a new attestation that waits on an accepted tenant as on any other', () => {
    expect(keys('attested', 'awaiting_acceptance')).toEqual(['create', 'view', 'agreement', 'acceptance']);
    expect(keys('direct', 'accepted')).toEqual(['create', 'view', 'agreement', 'finalize', 'acceptance']);
  });

  it('should offer finalize once the customer accepted, and to retry a failed finalize', () => {
    expect(keys('pending', 'accepted')).toEqual(['create', 'view', 'agreement', 'finalize', 'acceptance']);
    expect(keys('pending', 'finalize_failed')).toEqual(['create', 'view', 'agreement', 'finalize', 'acceptance']);
  });

  it('should offer the finalized attestation’s page for its record', () => {
    expect(keys('attested', 'finalized')).toEqual(['create', 'view', 'acceptance']);
  });

  it('should not link to an attestation that does not exist', () => {
    expect(keys('pending', null)).toEqual(['create', 'acceptance']);
  });

  it('should let a viewer only look', () => {
    expect(keys('none', null, 'viewer')).toEqual(['acceptance']);
    expect(keys('pending', 'accepted', 'viewer')).toEqual(['view', 'agreement', 'acceptance']);
  });

  it('should not attest or finalize a tenant removed from Partner Center', () => {
    expect(keys('none', null, 'admin', true)).toEqual(['acceptance']);
    expect(keys('pending', 'accepted', 'admin', true)).toEqual(['view', 'agreement', 'acceptance']);
  });

  it('should link to the attestation pages, open Create in the dialog and the agreement in a new tab', () => {
    expect(tenantActions({ id: 7, status: 'pending', removed: false, attestationState: 'accepted' }, 'admin')).toEqual([
      { key: 'create', label: 'Create attestation', href: '/tenants/7/attestations/new', newTab: false, modal: true },
      { key: 'view', label: 'View attestation', href: '/tenants/7/attestation', newTab: false, modal: false },
      {
        key: 'agreement',
        label: 'View agreement',
        href: '/tenants/7/attestation/agreement',
        newTab: true,
        modal: false,
      },
      {
        key: 'finalize',
        label: 'Finalize attestation',
        href: '/tenants/7/attestation/finalize',
        newTab: false,
        modal: false,
      },
      { key: 'acceptance', label: 'Acceptance details', href: '/tenants/7/acceptance', newTab: false, modal: false },
    ]);
  });
});
