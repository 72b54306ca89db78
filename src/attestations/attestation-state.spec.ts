import {
  ATTESTATION_STATES,
  isOpen,
  tenantAttestationStateFor,
  tenantStatusFor,
  transition,
  type AttestationEvent,
  type AttestationState,
} from './attestation-state';

const EVENTS: AttestationEvent[] = ['accept', 'expire', 'cancel', 'request_finalize', 'retry', 'finalize', 'fail'];

// Every edge the design allows; everything else is refused.
const ALLOWED: [AttestationState, AttestationEvent, AttestationState][] = [
  ['awaiting_acceptance', 'accept', 'accepted'],
  ['awaiting_acceptance', 'expire', 'expired'],
  ['awaiting_acceptance', 'cancel', 'cancelled'],
  ['accepted', 'cancel', 'cancelled'],
  ['accepted', 'request_finalize', 'accepted'],
  ['accepted', 'finalize', 'finalized'],
  ['accepted', 'fail', 'finalize_failed'],
  ['finalize_failed', 'retry', 'accepted'],
  ['finalize_failed', 'cancel', 'cancelled'],
];

const REFUSED = ATTESTATION_STATES.flatMap((from) =>
  EVENTS.filter((event) => !ALLOWED.some(([f, e]) => f === from && e === event)).map(
    (event) => [from, event] as [AttestationState, AttestationEvent],
  ),
);

describe('attestation state machine', () => {
  it.each(ALLOWED)('should move %s on %s to %s', (from, event, to) => {
    expect(transition(from, event)).toEqual({ allowed: true, to });
  });

  it.each(REFUSED)('should refuse %s on %s with a reason', (from, event) => {
    const result = transition(from, event);
    expect(result.allowed).toBe(false);
    expect(result.allowed === false && result.reason.length > 10).toBe(true);
  });

  it('should cover every state and event pair exactly once', () => {
    expect(ALLOWED.length + REFUSED.length).toBe(ATTESTATION_STATES.length * EVENTS.length);
  });

  it('should refuse a finalize before acceptance and say why', () => {
    expect(transition('awaiting_acceptance', 'request_finalize')).toEqual({
      allowed: false,
      reason: expect.stringContaining('has not accepted yet'),
    });
  });

  it('should refuse every event on a cancelled or finalized attestation', () => {
    for (const from of ['cancelled', 'finalized'] as AttestationState[])
      for (const event of EVENTS) expect(transition(from, event).allowed).toBe(false);
  });

  it('should count awaiting, accepted and failed as open, the rest as closed', () => {
    expect(ATTESTATION_STATES.filter(isOpen)).toEqual(['awaiting_acceptance', 'accepted', 'finalize_failed']);
  });

  it('should keep the tenant pending until finalized or cancelled', () => {
    expect(
      ATTESTATION_STATES.map((state) => [state, tenantStatusFor(state), tenantAttestationStateFor(state)]),
    ).toEqual([
      ['awaiting_acceptance', 'pending', 'awaiting_acceptance'],
      ['accepted', 'pending', 'accepted'],
      ['finalized', 'attested', 'finalized'],
      ['cancelled', 'none', null],
      ['expired', 'pending', 'expired'],
      ['finalize_failed', 'pending', 'finalize_failed'],
    ]);
  });
});
