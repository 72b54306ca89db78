import {
  needsAgreementDate,
  normaliseCustomers,
  planTenantMerge,
  type FetchedCustomer,
  type KnownTenant,
} from './tenant-merge';

const NOW = new Date('2026-11-25T12:00:00Z');
const EARLIER = new Date('2026-10-01T08:00:00Z');

const customer = (overrides: Partial<FetchedCustomer> = {}): FetchedCustomer => ({
  tenantId: '11111111-1111-1111-1111-111111111111',
  companyName: 'Fabrikam',
  domain: 'fabrikam.onmicrosoft.com',
  directlySigned: false,
  dateAgreed: null,
  ...overrides,
});

const known = (overrides: Partial<KnownTenant> = {}): KnownTenant => ({
  id: 1,
  microsoftTenantId: '11111111-1111-1111-1111-111111111111',
  name: 'Fabrikam',
  domain: 'fabrikam.onmicrosoft.com',
  status: 'none',
  directlySigned: false,
  acceptedAt: null,
  removedAt: null,
  ...overrides,
});

describe('planTenantMerge', () => {
  it('should insert a new customer with status none when it has not signed', () => {
    const plan = planTenantMerge([customer()], [], NOW);
    expect(plan.inserts).toEqual([
      {
        microsoftTenantId: '11111111-1111-1111-1111-111111111111',
        name: 'Fabrikam',
        domain: 'fabrikam.onmicrosoft.com',
        status: 'none',
        directlySigned: false,
        acceptedAt: null,
        removedAt: null,
      },
    ]);
    expect(plan.updates).toEqual([]);
  });

  it('should plan nothing when Partner Center says what we already have', () => {
    const plan = planTenantMerge([customer()], [known()], NOW);
    expect(plan).toEqual({ inserts: [], updates: [], removed: 0 });
  });

  it('should map a direct acceptance to status direct, dated by dateAgreed when Partner Center has it', () => {
    const plan = planTenantMerge([customer({ directlySigned: true, dateAgreed: EARLIER })], [known()], NOW);
    expect(plan.updates).toEqual([{ id: 1, changes: { status: 'direct', directlySigned: true, acceptedAt: EARLIER } }]);
  });

  it('should date a direct acceptance when first seen signed, and keep that date on the next run', () => {
    const first = planTenantMerge([customer({ directlySigned: true })], [], NOW);
    expect(first.inserts[0]).toMatchObject({ status: 'direct', acceptedAt: NOW });
    const stored = known({ status: 'direct', directlySigned: true, acceptedAt: NOW });
    const later = new Date(NOW.getTime() + 3_600_000);
    expect(planTenantMerge([customer({ directlySigned: true })], [stored], later).updates).toEqual([]);
  });

  it('should keep an attested or pending status that the attestation feature set', () => {
    const attested = known({ status: 'attested', acceptedAt: EARLIER });
    expect(planTenantMerge([customer({ directlySigned: true })], [attested], NOW).updates).toEqual([
      { id: 1, changes: { directlySigned: true } },
    ]);
    const pending = known({ status: 'pending' });
    expect(planTenantMerge([customer()], [pending], NOW).updates).toEqual([]);
    expect(planTenantMerge([customer({ directlySigned: true })], [pending], NOW).updates).toEqual([
      { id: 1, changes: { status: 'direct', directlySigned: true, acceptedAt: NOW } },
    ]);
  });

  it('should drop the acceptance when Partner Center no longer reports a direct signature', () => {
    const direct = known({ status: 'direct', directlySigned: true, acceptedAt: EARLIER });
    expect(planTenantMerge([customer()], [direct], NOW).updates).toEqual([
      { id: 1, changes: { status: 'none', directlySigned: false, acceptedAt: null } },
    ]);
  });

  it('should keep what we knew when the direct acceptance could not be read for this customer', () => {
    const direct = known({ status: 'direct', directlySigned: true, acceptedAt: EARLIER });
    expect(planTenantMerge([customer({ directlySigned: null })], [direct], NOW).updates).toEqual([]);
    expect(planTenantMerge([customer({ directlySigned: null })], [], NOW).inserts[0]).toMatchObject({
      status: 'none',
      directlySigned: false,
    });
  });

  it('should mark a tenant gone from Partner Center as removed once, and unmark it when it comes back', () => {
    const other = known({ id: 2, microsoftTenantId: '22222222-2222-2222-2222-222222222222', name: 'Gone' });
    const plan = planTenantMerge([customer()], [known(), other], NOW);
    expect(plan.updates).toEqual([{ id: 2, changes: { removedAt: NOW } }]);
    expect(plan.removed).toBe(1);
    expect(planTenantMerge([customer()], [known(), { ...other, removedAt: NOW }], NOW).updates).toEqual([]);
    const back = planTenantMerge(
      [customer({ tenantId: other.microsoftTenantId, companyName: 'Gone' })],
      [{ ...other, removedAt: NOW }],
      NOW,
    );
    expect(back.updates).toEqual([{ id: 2, changes: { removedAt: null } }]);
  });

  it('should update only the fields that changed', () => {
    const plan = planTenantMerge(
      [customer({ companyName: 'Fabrikam Ltd', domain: 'FABRIKAM.onmicrosoft.com' })],
      [known()],
      NOW,
    );
    expect(plan.updates).toEqual([{ id: 1, changes: { name: 'Fabrikam Ltd' } }]);
  });

  it('should match stored ids case-insensitively so that no duplicate is inserted', () => {
    const plan = planTenantMerge(
      [customer({ tenantId: '11111111-1111-1111-1111-111111111111'.toUpperCase() })],
      [known()],
      NOW,
    );
    expect(plan).toEqual({ inserts: [], updates: [], removed: 0 });
  });
});

describe('normaliseCustomers', () => {
  it('should trim, cap to the column sizes and keep markup as plain text', () => {
    const [result] = normaliseCustomers([
      customer({ companyName: `  <script>alert(1)</script>\u0000 ${'x'.repeat(400)}  `, domain: ' A.example ' }),
    ]);
    expect(result.companyName.startsWith('<script>alert(1)</script> x')).toBe(true);
    expect(result.companyName.length).toBe(300);
    expect(result.domain).toBe('a.example');
  });

  it('should drop customers without an id and duplicates, and name a nameless one by its domain or id', () => {
    const results = normaliseCustomers([
      customer({ tenantId: '  ' }),
      customer({ companyName: '  ' }),
      customer({ companyName: 'Duplicate' }),
      customer({ tenantId: 'abc', companyName: '', domain: '' }),
    ]);
    expect(results.map((c) => [c.tenantId, c.companyName])).toEqual([
      ['11111111-1111-1111-1111-111111111111', 'fabrikam.onmicrosoft.com'],
      ['abc', 'abc'],
    ]);
  });

  it('should drop ids that an earlier batch of the same list took', () => {
    const seen = new Set<string>();
    expect(normaliseCustomers([customer({ companyName: 'First' })], seen)).toHaveLength(1);
    expect(normaliseCustomers([customer({ tenantId: ' 11111111-1111-1111-1111-111111111111 ' })], seen)).toEqual([]);
    expect([...seen]).toEqual(['11111111-1111-1111-1111-111111111111']);
  });

  it('should not crash on fields that are missing at run time', () => {
    const broken = { tenantId: 'abc', companyName: undefined, domain: null } as unknown as FetchedCustomer;
    expect(normaliseCustomers([broken])).toMatchObject([{ tenantId: 'abc', companyName: 'abc', domain: '' }]);
  });
});

describe('needsAgreementDate', () => {
  it('should ask only when a tenant becomes directly signed', () => {
    expect(needsAgreementDate(true, undefined)).toBe(true);
    expect(needsAgreementDate(true, known())).toBe(true);
    expect(needsAgreementDate(false, undefined)).toBe(false);
    expect(needsAgreementDate(null, undefined)).toBe(false);
    expect(needsAgreementDate(true, known({ status: 'direct', directlySigned: true, acceptedAt: EARLIER }))).toBe(
      false,
    );
    expect(needsAgreementDate(true, known({ status: 'attested' }))).toBe(false);
  });
});
