import { deriveTenantStatus, TENANT_STATUS_LABELS, type TenantStatusFacts } from './tenant-status';

const facts = (overrides: Partial<TenantStatusFacts> = {}): TenantStatusFacts => ({
  hasFinalizedAttestation: false,
  directlySigned: false,
  hasOpenAttestation: false,
  ...overrides,
});

describe(deriveTenantStatus.name, () => {
  it('should be none when nothing is known', () => {
    expect(deriveTenantStatus(facts())).toBe('none');
  });

  it('should be attested when an attestation was finalized, even if also signed directly', () => {
    expect(
      deriveTenantStatus(facts({ hasFinalizedAttestation: true, directlySigned: true, hasOpenAttestation: true })),
    ).toBe('attested');
  });

  it('should be direct when signed directly, even with an open attestation', () => {
    expect(deriveTenantStatus(facts({ directlySigned: true, hasOpenAttestation: true }))).toBe('direct');
  });

  it('should be pending when only an open attestation exists', () => {
    expect(deriveTenantStatus(facts({ hasOpenAttestation: true }))).toBe('pending');
  });

  it('should use the exact labels of the design', () => {
    expect(TENANT_STATUS_LABELS).toEqual({
      attested: 'Acceptance provided (Attested)',
      direct: 'Acceptance provided (Direct)',
      pending: 'Attestation pending',
      none: 'No acceptance provided',
    });
  });
});
