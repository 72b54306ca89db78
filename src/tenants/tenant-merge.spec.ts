import {
  acceptanceDue,
  normaliseCustomers,
  NOTHING_KNOWN,
  planTenantMerge,
  type FetchedAcceptance,
  type FetchedCustomer,
  type KnownTenant,
} from './tenant-merge';

const NOW = new Date('2026-11-25T12:00:00Z');
const EARLIER = new Date('2026-10-01T08:00:00Z');
const OLD = new Date('2022-11-15T00:00:00Z');
const REFRESH = new Date('2023-04-01T00:00:00Z');
const DANA = { firstName: 'Dana', lastName: 'Fuller', email: 'dana@fabrikam.example' };

const read = (overrides: Partial<FetchedAcceptance> = {}): FetchedAcceptance => ({
  directlySigned: false,
  partner: null,
  ...overrides,
});

const customer = (overrides: Partial<FetchedCustomer> = {}): FetchedCustomer => ({
  tenantId: '11111111-1111-1111-1111-111111111111',
  companyName: 'Fabrikam',
  domain: 'fabrikam.onmicrosoft.com',
  acceptance: read(),
  ...overrides,
});

const known = (overrides: Partial<KnownTenant> = {}): KnownTenant => ({
  ...NOTHING_KNOWN,
  id: 1,
  microsoftTenantId: '11111111-1111-1111-1111-111111111111',
  name: 'Fabrikam',
  domain: 'fabrikam.onmicrosoft.com',
  acceptanceCheckedAt: NOW,
  ...overrides,
});

describe('planTenantMerge', () => {
  it('should insert a new customer with status none when it has not accepted', () => {
    const plan = planTenantMerge([customer()], [], NOW);
    const { ownAgreementContact: _own, attestationState: _state, ...nothing } = NOTHING_KNOWN;
    expect(plan.inserts).toEqual([
      {
        ...nothing,
        microsoftTenantId: '11111111-1111-1111-1111-111111111111',
        name: 'Fabrikam',
        domain: 'fabrikam.onmicrosoft.com',
        acceptanceCheckedAt: NOW,
      },
    ]);
    expect(plan.updates).toEqual([]);
  });

  it('should plan nothing when Partner Center says what we already have', () => {
    const plan = planTenantMerge([customer()], [known()], NOW);
    expect(plan).toEqual({ inserts: [], updates: [], removed: 0, confirmed: 0 });
  });

  it('should show a partner-confirmed agreement made outside the app as Attested, with its date and signatory', () => {
    const partner = { dateAgreed: EARLIER, templateId: 't-1', contact: DANA };
    const plan = planTenantMerge([customer({ acceptance: read({ partner }) })], [known()], NOW);
    expect(plan.updates).toEqual([
      {
        id: 1,
        changes: {
          status: 'attested',
          partnerAccepted: true,
          partnerAgreedAt: EARLIER,
          agreementTemplateId: 't-1',
          agreementSignatory: 'Dana Fuller <dana@fabrikam.example>',
          attestedOutside: true,
          acceptedAt: EARLIER,
        },
      },
    ]);
  });

  it("should know the app's own agreement by its signatory", () => {
    const partner = { dateAgreed: EARLIER, templateId: 't-1', contact: { ...DANA, email: 'DANA@fabrikam.example ' } };
    const own = known({ ownAgreementContact: JSON.stringify(DANA) });
    const [update] = planTenantMerge([customer({ acceptance: read({ partner }) })], [own], NOW).updates;
    expect(update.changes).toMatchObject({ status: 'attested', partnerAccepted: true });
    expect(update.changes).not.toHaveProperty('attestedOutside');
  });

  it('should date a direct acceptance when first seen signed, and keep that date on the next run', () => {
    const first = planTenantMerge([customer({ acceptance: read({ directlySigned: true }) })], [], NOW);
    expect(first.inserts[0]).toMatchObject({ status: 'direct', directSeenAt: NOW, acceptedAt: NOW });
    const stored = known({ status: 'direct', directlySigned: true, directSeenAt: NOW, acceptedAt: NOW });
    const later = new Date(NOW.getTime() + 3_600_000);
    const again = planTenantMerge([customer({ acceptance: read({ directlySigned: true }) })], [stored], later);
    expect(again).toEqual({ inserts: [], updates: [], removed: 0, confirmed: 0 });
    // Confirmed again half a day later: the time is written, and not counted as a change.
    const halfDay = new Date(NOW.getTime() + 12 * 3_600_000);
    const confirmed = planTenantMerge([customer({ acceptance: read({ directlySigned: true }) })], [stored], halfDay);
    expect(confirmed).toEqual({
      inserts: [],
      updates: [{ id: 1, changes: { acceptanceCheckedAt: halfDay } }],
      removed: 0,
      confirmed: 1,
    });
  });

  it('should rank a partner agreement above a direct acceptance, and keep an accepted tenant above a waiting attestation', () => {
    const both = read({ directlySigned: true, partner: { dateAgreed: EARLIER, templateId: null, contact: DANA } });
    expect(planTenantMerge([customer({ acceptance: both })], [], NOW).inserts[0]).toMatchObject({
      status: 'attested',
      acceptedAt: EARLIER,
    });
    const waiting = known({ attestationState: 'awaiting_acceptance', status: 'pending' });
    expect(planTenantMerge([customer()], [waiting], NOW).updates).toEqual([]);
    expect(planTenantMerge([customer({ acceptance: read({ directlySigned: true }) })], [waiting], NOW).updates).toEqual(
      [{ id: 1, changes: { status: 'direct', directlySigned: true, directSeenAt: NOW, acceptedAt: NOW } }],
    );
  });

  it('should drop an acceptance that Partner Center no longer reports', () => {
    const direct = known({ status: 'direct', directlySigned: true, directSeenAt: EARLIER, acceptedAt: EARLIER });
    expect(planTenantMerge([customer()], [direct], NOW).updates).toEqual([
      { id: 1, changes: { status: 'none', directlySigned: false, directSeenAt: null, acceptedAt: null } },
    ]);
  });

  it('should keep what we knew, marked not confirmed, when the acceptance could not be read', () => {
    const attested = known({
      status: 'attested',
      partnerAccepted: true,
      partnerAgreedAt: EARLIER,
      acceptedAt: EARLIER,
    });
    const failed = customer({
      acceptance: undefined,
      unreadable: 'Partner Center is not available right now (HTTP 500)',
    });
    expect(planTenantMerge([failed], [attested], NOW).updates).toEqual([
      { id: 1, changes: { acceptanceUnconfirmed: 'Partner Center is not available right now (HTTP 500)' } },
    ]);
    expect(planTenantMerge([failed], [], NOW).inserts[0]).toMatchObject({
      status: 'none',
      acceptanceUnconfirmed: expect.any(String),
    });
    // Not due: nothing about the acceptance changes.
    expect(planTenantMerge([customer({ acceptance: undefined })], [attested], NOW).updates).toEqual([]);
  });

  it('should mark an acceptance older than the required date, and only when every acceptance is older', () => {
    const old = read({ partner: { dateAgreed: OLD, templateId: null, contact: DANA } });
    expect(planTenantMerge([customer({ acceptance: old })], [], NOW, REFRESH).inserts[0]).toMatchObject({
      status: 'attested',
      acceptedAt: OLD,
      reacceptance: 'needed',
    });
    expect(planTenantMerge([customer({ acceptance: old })], [], NOW, null).inserts[0]).toMatchObject({
      reacceptance: null,
    });
    const alsoDirect = { ...old, directlySigned: true };
    expect(planTenantMerge([customer({ acceptance: alsoDirect })], [], NOW, REFRESH).inserts[0]).toMatchObject({
      reacceptance: null,
    });
    const undated = read({ partner: { dateAgreed: null, templateId: null, contact: null } });
    expect(planTenantMerge([customer({ acceptance: undated })], [], NOW, REFRESH).inserts[0]).toMatchObject({
      status: 'attested',
      acceptedAt: null,
      reacceptance: null,
    });
  });

  it('should mark a tenant gone from Partner Center as removed once, and unmark it when it comes back', () => {
    const other = known({ id: 2, microsoftTenantId: '22222222-2222-2222-2222-222222222222', name: 'Gone' });
    const plan = planTenantMerge([customer()], [known(), other], NOW);
    expect(plan.updates).toEqual([{ id: 2, changes: { removedAt: NOW, reacceptance: null } }]);
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
    expect(plan).toEqual({ inserts: [], updates: [], removed: 0, confirmed: 0 });
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

describe('acceptanceDue', () => {
  const DAY = 24 * 60 * 60_000;
  const at = (ms: number) => new Date(NOW.getTime() + ms);

  it('should read every sync a tenant that is new, never checked, not confirmed or not accepted', () => {
    expect(acceptanceDue(undefined, NOW)).toBe(true);
    expect(acceptanceDue(known({ acceptanceCheckedAt: null, status: 'attested' }), NOW)).toBe(true);
    expect(acceptanceDue(known({ status: 'attested', acceptanceUnconfirmed: 'HTTP 500' }), NOW)).toBe(true);
    expect(acceptanceDue(known({ status: 'none' }), NOW)).toBe(true);
    expect(acceptanceDue(known({ status: 'pending' }), NOW)).toBe(true);
  });

  it('should re-check an accepted tenant once a day, each at its own hour between 12 and 24 hours', () => {
    const accepted = (id: number) => known({ id, status: 'direct', acceptanceCheckedAt: NOW });
    expect(acceptanceDue(accepted(1), at(DAY / 2 - 1))).toBe(false);
    expect(acceptanceDue(accepted(1), at(DAY))).toBe(true);
    const dueAfter = Array.from({ length: 200 }, (_, i) => {
      let hours = 12;
      while (!acceptanceDue(accepted(i + 1), at(hours * 3_600_000))) hours += 1;
      return hours;
    });
    expect(Math.min(...dueAfter)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...dueAfter)).toBeLessThanOrEqual(24);
    expect(new Set(dueAfter).size).toBeGreaterThan(8);
  });
});
