// The attestation lifecycle (DESIGN.md, "Attestation lifecycle") as pure rules: which event may move an attestation
// from which state, and where to. AttestationsService applies them inside one transaction each.
export const ATTESTATION_STATES = [
  'awaiting_acceptance',
  'accepted',
  'finalized',
  'cancelled',
  'expired',
  'finalize_failed',
] as const;
export type AttestationState = (typeof ATTESTATION_STATES)[number];

export const OPEN_STATES: readonly AttestationState[] = ['awaiting_acceptance', 'accepted', 'finalize_failed'];
export const isOpen = (state: AttestationState): boolean => OPEN_STATES.includes(state);

export type AttestationEvent =
  | 'accept' // Partner Center reports the customer accepted
  | 'expire' // the link ran out before acceptance
  | 'cancel' // the partner withdraws it
  | 'request_finalize' // a partner or auto-finalize asks for the agreement to be created
  | 'retry' // a partner retries a failed finalize
  | 'finalize' // Partner Center created the agreement (or says it already exists)
  | 'fail'; // Partner Center refused the agreement

const EDGES: Record<AttestationEvent, Partial<Record<AttestationState, AttestationState>>> = {
  accept: { awaiting_acceptance: 'accepted' },
  expire: { awaiting_acceptance: 'expired' },
  cancel: { awaiting_acceptance: 'cancelled', accepted: 'cancelled', finalize_failed: 'cancelled' },
  request_finalize: { accepted: 'accepted' },
  retry: { finalize_failed: 'accepted' },
  finalize: { accepted: 'finalized' },
  fail: { accepted: 'finalize_failed' },
};

// Why an event is refused, in words for the person who asked.
const REFUSALS: Record<AttestationEvent, Partial<Record<AttestationState, string>>> = {
  accept: {},
  expire: {},
  cancel: {
    finalized: 'This attestation is finalized: the agreement exists in Partner Center and cannot be cancelled here.',
  },
  request_finalize: {
    awaiting_acceptance: 'The customer has not accepted yet: an attestation can be finalized only after acceptance.',
    finalize_failed: 'The last finalize failed: use Retry.',
    finalized: 'This attestation is already finalized.',
  },
  retry: { accepted: 'Nothing to retry: the attestation is waiting to be finalized.' },
  finalize: {},
  fail: {},
};

// An attestation that ended without an agreement refuses everything, and says what to do instead.
const ENDED: Partial<Record<AttestationState, string>> = {
  cancelled: 'This attestation is cancelled: nothing more can be done with it. Create a new one.',
  expired: 'The link of this attestation expired: nothing more can be done with it. Create a new link.',
};

export const STATE_LABELS: Record<AttestationState, string> = {
  awaiting_acceptance: 'Awaiting acceptance',
  accepted: 'Ready to finalize',
  finalized: 'Finalized',
  cancelled: 'Cancelled',
  expired: 'Link expired',
  finalize_failed: 'Finalize failed',
};

export type Transition = { allowed: true; to: AttestationState } | { allowed: false; reason: string };

export function transition(from: AttestationState, event: AttestationEvent): Transition {
  const to = EDGES[event][from];
  if (to) return { allowed: true, to };
  const reason =
    REFUSALS[event][from] ?? ENDED[from] ?? `This cannot be done while the attestation is "${STATE_LABELS[from]}".`;
  return { allowed: false, reason };
}

// What the tenant's status (the list's) becomes with its latest attestation in a state: open and expired ones keep
// it pending (the row then says which part of the wait it is in); a cancelled one gives the acceptance back to
// whatever else the tenant has.
export function tenantStatusFor(state: AttestationState): 'pending' | 'attested' | 'none' {
  if (state === 'finalized') return 'attested';
  if (state === 'cancelled') return 'none';
  return 'pending';
}

// What the tenant's row knows of its latest attestation (the part of the wait it is in, or finalized for its
// record); a cancelled one leaves nothing to show.
export const tenantAttestationStateFor = (state: AttestationState): AttestationState | null =>
  state === 'cancelled' ? null : state;
