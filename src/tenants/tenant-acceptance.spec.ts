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

// Issue 19: whatever happens to the app's attestations, an accepted tenant stays accepted until Partner Center itself
// says otherwise. Random sequences of events, each applied as TenantWriter and the sync apply them, from a seeded
// generator so that a failure can be replayed.
describe('deriveAcceptance over any sequence of events', () => {
  type Event = 'create' | 'accept' | 'finalize' | 'fail' | 'retry' | 'cancel' | 'expire' | 'sync';
  const EVENTS: Event[] = ['create', 'accept', 'finalize', 'fail', 'retry', 'cancel', 'expire', 'sync'];
  const random = (seed: number) => () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };

  it('should never lower an accepted tenant unless Microsoft’s data says so', () => {
    for (let run = 0; run < 2_000; run++) {
      const next = random(run + 1);
      // What Partner Center holds, which only a sync brings in; the app's finalize adds an agreement to it.
      const microsoft = { directlySigned: next() < 0.3, partner: next() < 0.3 };
      let facts: AcceptanceFacts = {
        ...NONE,
        directlySigned: microsoft.directlySigned,
        partnerAccepted: microsoft.partner,
      };
      for (let step = 0; step < 12; step++) {
        const event = EVENTS[Math.floor(next() * EVENTS.length)];
        const before = deriveAcceptance(facts, REFRESH).status;
        let microsoftSaysOtherwise = false;
        if (event === 'create') facts = { ...facts, attestationState: 'awaiting_acceptance' };
        if (event === 'accept') facts = { ...facts, attestationState: 'accepted' };
        if (event === 'fail') facts = { ...facts, attestationState: 'finalize_failed' };
        if (event === 'retry') facts = { ...facts, attestationState: 'accepted' };
        if (event === 'cancel') facts = { ...facts, attestationState: null };
        if (event === 'expire') facts = { ...facts, attestationState: 'expired' };
        if (event === 'finalize') {
          microsoft.partner = true;
          facts = { ...facts, attestationState: 'finalized', partnerAccepted: true, partnerAgreedAt: NEW };
        }
        if (event === 'sync') {
          // Now and then Microsoft withdraws an acceptance (a customer revokes it): that alone may lower the status.
          if (next() < 0.1) {
            microsoft.directlySigned = false;
            microsoft.partner = false;
            microsoftSaysOtherwise = true;
          }
          facts = { ...facts, directlySigned: microsoft.directlySigned, partnerAccepted: microsoft.partner };
        }
        const after = deriveAcceptance(facts, REFRESH).status;
        const accepted = (status: string) => status === 'attested' || status === 'direct';
        if (accepted(before) && !microsoftSaysOtherwise)
          expect({ run, step, event, after }).toMatchObject({ after: expect.stringMatching(/^(attested|direct)$/) });
      }
    }
  });
});
