import { deriveAcceptance, madeOutsideApp, type AcceptanceFacts } from './tenant-acceptance';

const REFRESH = new Date('2023-04-01T00:00:00Z');
const OLD = new Date('2022-11-15T00:00:00Z');
const NEW = new Date('2025-03-01T00:00:00Z');
const NONE: AcceptanceFacts = {
  directlySigned: false,
  directSeenAt: null,
  partnerAccepted: false,
  partnerAgreedAt: null,
  attestationState: null,
};

describe('deriveAcceptance', () => {
  it('should rank a partner agreement, then a direct acceptance, then a waiting attestation', () => {
    expect(
      deriveAcceptance({ ...NONE, partnerAccepted: true, partnerAgreedAt: NEW, directlySigned: true }, null),
    ).toEqual({
      status: 'attested',
      acceptedAt: NEW,
      reacceptance: null,
    });
    expect(deriveAcceptance({ ...NONE, directlySigned: true, directSeenAt: NEW }, null).status).toBe('direct');
    expect(deriveAcceptance({ ...NONE, attestationState: 'expired' }, null).status).toBe('pending');
    expect(deriveAcceptance({ ...NONE, attestationState: 'cancelled' }, null).status).toBe('none');
  });

  it('should never let a waiting or cancelled attestation lower an accepted tenant', () => {
    const accepted = { ...NONE, partnerAccepted: true, partnerAgreedAt: NEW };
    for (const attestationState of ['awaiting_acceptance', 'accepted', 'finalize_failed', 'expired', null])
      expect(deriveAcceptance({ ...accepted, attestationState }, null).status).toBe('attested');
  });

  it('should ask for re-acceptance only when every acceptance is older than required', () => {
    const old = { ...NONE, partnerAccepted: true, partnerAgreedAt: OLD };
    expect(deriveAcceptance(old, REFRESH).reacceptance).toBe('needed');
    expect(deriveAcceptance(old, null).reacceptance).toBeNull();
    expect(deriveAcceptance({ ...old, directlySigned: true, directSeenAt: NEW }, REFRESH).reacceptance).toBeNull();
    expect(deriveAcceptance({ ...old, partnerAgreedAt: null }, REFRESH).reacceptance).toBeNull();
    expect(deriveAcceptance({ ...NONE, attestationState: 'accepted' }, REFRESH).reacceptance).toBeNull();
  });
});

describe('madeOutsideApp', () => {
  const dana = { firstName: 'Dana', lastName: 'Fuller', email: 'dana@example.com' };
  it("should call an agreement the app's own only when its signatory is the app's", () => {
    expect(madeOutsideApp(dana, JSON.stringify(dana))).toBe(false);
    expect(madeOutsideApp(dana, JSON.stringify({ ...dana, email: 'other@example.com' }))).toBe(true);
    expect(madeOutsideApp(dana, null)).toBe(true);
    expect(madeOutsideApp(null, JSON.stringify(dana))).toBe(true);
    expect(madeOutsideApp(dana, '{broken')).toBe(true);
  });
});
