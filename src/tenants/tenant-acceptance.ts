import { sameContact, type Contact } from '../common/contact';
import { ATTESTATION_WAIT_LABELS, deriveTenantStatus, type TenantStatus } from './tenant-status';

// A tenant's acceptances as the tenants table keeps them: what Partner Center reports (a direct acceptance, the
// newest partner-confirmed agreement, made by this app or outside it) and whether an attestation of the app waits.
export interface AcceptanceFacts {
  directlySigned: boolean;
  directSeenAt: Date | null; // Partner Center gives no date for a direct acceptance: when the app first saw it
  partnerAccepted: boolean;
  partnerAgreedAt: Date | null; // the agreement's dateAgreed (null when Partner Center sent none)
  attestationState: string | null; // the app's latest attestation of this tenant (tenants.attestation_state)
}

export interface DerivedAcceptance {
  status: TenantStatus;
  acceptedAt: Date | null;
  reacceptance: 'needed' | null;
}

export const REACCEPTANCE_NEEDED = 'needed';

// The app's attestation still waits (the row says which part of the wait): every state the list names, finalized
// and cancelled ones excepted.
export const isWaiting = (attestationState: string | null): boolean =>
  attestationState !== null && Object.hasOwn(ATTESTATION_WAIT_LABELS, attestationState);

// The one rule from acceptances to what the list shows. The status never comes from the newest attestation alone:
// an acceptance outranks a waiting attestation. The date is the shown acceptance's. A tenant needs re-acceptance
// (the broker's "require acceptance on or after") only when every acceptance it has is older: a direct acceptance,
// which Partner Center reports without a date, counts as current, and so does an agreement without a date (nothing
// says it is old). TenantWriter.markReacceptance says the same in SQL.
export function deriveAcceptance(facts: AcceptanceFacts, requiredFrom: Date | null): DerivedAcceptance {
  const status = deriveTenantStatus({
    hasFinalizedAttestation: facts.partnerAccepted,
    directlySigned: facts.directlySigned,
    hasOpenAttestation: isWaiting(facts.attestationState),
  });
  const acceptedAt = status === 'attested' ? facts.partnerAgreedAt : status === 'direct' ? facts.directSeenAt : null;
  const old = requiredFrom !== null && acceptedAt !== null && acceptedAt < requiredFrom;
  const reacceptance = old && (status === 'direct' || !facts.directlySigned) ? REACCEPTANCE_NEEDED : null;
  return { status, acceptedAt, reacceptance };
}

// The app's own signatory, stored as JSON on the tenant when its attestation is finalized.
export function parseOwnContact(text: string | null): Contact | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Contact> | null;
    return value && typeof value.email === 'string'
      ? {
          firstName: String(value.firstName ?? ''),
          lastName: String(value.lastName ?? ''),
          email: value.email,
          ...(typeof value.phoneNumber === 'string' ? { phoneNumber: value.phoneNumber } : {}),
        }
      : null;
  } catch {
    return null;
  }
}

// A partner-confirmed agreement is the app's own when its contact is the signatory of the app's finalized attestation.
export const madeOutsideApp = (agreementContact: Contact | null, ownContactJson: string | null): boolean => {
  const own = parseOwnContact(ownContactJson);
  return !(own && agreementContact && sameContact(own, agreementContact));
};
