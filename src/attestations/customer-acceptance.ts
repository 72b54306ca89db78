import type { AuditEventView } from '../audit/audit-event';
import type { AuditActor } from '../audit/audit-trail.service';
import type { Actor } from '../common/request-context';
import type { Attestation } from './attestation.record';

export const ACCEPTED_ACTION = 'attestation.accepted';
// How the signatory of an attestation accepts: on the link the partner gave them, nowhere else.
export const VIA_AGREEMENT_LINK = 'via the agreement link';
// The poll job, as the observer of the acceptances it learns of.
export const BACKGROUND_CHECK_LABEL = 'background acceptance check';

// The customer's acceptance as an auditor reads it: the signatory accepted (at the time Partner Center reports),
// and someone or something here observed it later. Older events named their observer as their actor: they read
// back with that actor as the observer, and the source of the time unknown (`acceptedAtSource` null).
export interface CustomerAcceptance {
  acceptedBy: { name: string; email: string; via: string; label: string };
  acceptedAt: string;
  acceptedAtSource: 'partner_center' | 'observed' | null; // observed: Partner Center gave no time
  observedBy: { type: string; label: string } | null;
  observedAt: string | null;
}

type Accepted = Pick<Attestation, 'signatoryFirstName' | 'signatoryLastName' | 'signatoryEmail' | 'acceptedAt'>;

const signatory = (attestation: Accepted) => ({
  name: `${attestation.signatoryFirstName} ${attestation.signatoryLastName}`,
  email: attestation.signatoryEmail,
  via: VIA_AGREEMENT_LINK,
});

const labelOf = (who: { name: string; email: string; via: string }) => `${who.name} (${who.email}) ${who.via}`;

// The audit event of an acceptance, whoever observed it (a user opening the attestation, the poll job): the customer
// is its actor, the observer and the time of the observation are in its data.
export function acceptanceEvent(
  attestation: Accepted,
  reportedAt: Date | null,
  observer: Actor,
  observedAt: Date,
): { acceptedAt: Date; actor: AuditActor; data: Record<string, unknown> } {
  const acceptedAt = reportedAt ?? observedAt;
  const acceptedBy = signatory(attestation);
  return {
    acceptedAt,
    actor: { type: 'customer', label: labelOf(acceptedBy) },
    data: {
      acceptedBy,
      acceptedAt: acceptedAt.toISOString(),
      acceptedAtSource: reportedAt ? 'partner_center' : 'observed',
      observedBy: {
        type: observer.type,
        id: observer.type === 'system' ? observer.jobId : observer.id,
        label: observer.label,
      },
      observedAt: observedAt.toISOString(),
    },
  };
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const object = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};

// The acceptance of an accepted attestation from its audit event, events of either shape; null before acceptance.
export function customerAcceptance(attestation: Accepted, events: AuditEventView[]): CustomerAcceptance | null {
  if (!attestation.acceptedAt) return null;
  const event = events.find((candidate) => candidate.action === ACCEPTED_ACTION);
  const entered = signatory(attestation);
  const recorded = object(event?.data.acceptedBy);
  const acceptedBy = {
    name: text(recorded.name) ?? entered.name,
    email: text(recorded.email) ?? entered.email,
    via: text(recorded.via) ?? entered.via,
  };
  const observer = object(event?.data.observedBy);
  const source = event?.data.acceptedAtSource;
  return {
    acceptedBy: { ...acceptedBy, label: labelOf(acceptedBy) },
    acceptedAt: text(event?.data.acceptedAt) ?? attestation.acceptedAt.toISOString(),
    acceptedAtSource: source === 'partner_center' || source === 'observed' ? source : null,
    observedBy: !event
      ? null
      : text(observer.label)
        ? { type: text(observer.type) ?? 'system', label: text(observer.label) as string }
        : { type: event.actorType, label: event.actorLabel },
    observedAt: !event ? null : (text(event.data.observedAt) ?? event.createdAt.toISOString()),
  };
}
