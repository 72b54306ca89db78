import type { AuditEventView } from '../audit/audit-event';
import type { Actor } from '../common/request-context';
import {
  ACCEPTED_ACTION,
  acceptanceEvent,
  BACKGROUND_CHECK_LABEL,
  customerAcceptance,
  VIA_AGREEMENT_LINK,
} from './customer-acceptance';

const REPORTED = new Date('2026-11-26T08:00:00.000Z');
const OBSERVED = new Date('2026-11-26T08:04:30.000Z');
const attestation = (acceptedAt: Date | null = REPORTED) => ({
  signatoryFirstName: 'Grace',
  signatoryLastName: 'Hopper',
  signatoryEmail: 'grace@fabrikam.test',
  acceptedAt,
});
const ADMIN: Actor = { type: 'user', id: 7, label: 'ada@contoso.test' };
const JOB: Actor = { type: 'system', jobId: 42, label: BACKGROUND_CHECK_LABEL };

// An event as the audit trail reads it back, of either shape.
const stored = (data: Record<string, unknown>, actor: { type: string; label: string }): AuditEventView => ({
  id: 1,
  action: ACCEPTED_ACTION,
  actorLabel: actor.label,
  actorType: actor.type,
  subject: { type: 'attestation', id: '1' },
  data,
  createdAt: OBSERVED,
  hash: 'a'.repeat(64),
  prevHash: 'b'.repeat(64),
});

describe('acceptanceEvent', () => {
  it.each([
    ['a user opening the attestation', ADMIN, 7],
    ['the poll job', JOB, 42],
  ])('should name the customer as actor and %s as observer', (_, observer, observerId) => {
    const event = acceptanceEvent(attestation(), REPORTED, observer, OBSERVED);
    expect(event.actor).toEqual({
      type: 'customer',
      label: `Grace Hopper (grace@fabrikam.test) ${VIA_AGREEMENT_LINK}`,
    });
    expect(event.acceptedAt).toEqual(REPORTED);
    expect(event.data).toEqual({
      acceptedBy: { name: 'Grace Hopper', email: 'grace@fabrikam.test', via: VIA_AGREEMENT_LINK },
      acceptedAt: REPORTED.toISOString(),
      acceptedAtSource: 'partner_center',
      observedBy: { type: observer.type, id: observerId, label: observer.label },
      observedAt: OBSERVED.toISOString(),
    });
  });

  it('should date the acceptance by its observation, and say so, when Partner Center gives no time', () => {
    const event = acceptanceEvent(attestation(), null, JOB, OBSERVED);
    expect(event.acceptedAt).toEqual(OBSERVED);
    expect(event.data).toMatchObject({ acceptedAt: OBSERVED.toISOString(), acceptedAtSource: 'observed' });
  });
});

describe('customerAcceptance', () => {
  it('should be null before the customer accepted', () => {
    expect(customerAcceptance(attestation(null), [])).toBeNull();
  });

  it('should read back what acceptanceEvent recorded', () => {
    const written = acceptanceEvent(attestation(), REPORTED, JOB, OBSERVED);
    const event = stored(written.data, written.actor);
    expect(customerAcceptance(attestation(), [event])).toEqual({
      acceptedBy: {
        name: 'Grace Hopper',
        email: 'grace@fabrikam.test',
        via: VIA_AGREEMENT_LINK,
        label: `Grace Hopper (grace@fabrikam.test) ${VIA_AGREEMENT_LINK}`,
      },
      acceptedAt: REPORTED.toISOString(),
      acceptedAtSource: 'partner_center',
      observedBy: { type: 'system', label: BACKGROUND_CHECK_LABEL },
      observedAt: OBSERVED.toISOString(),
    });
  });

  it("should read an older event's actor as the observer and the signatory as the one who accepted", () => {
    const older = stored(
      { tenantId: 3, from: 'awaiting_acceptance', to: 'accepted' },
      { type: 'user', label: 'ada@contoso.test' },
    );
    expect(customerAcceptance(attestation(), [older])).toEqual({
      acceptedBy: {
        name: 'Grace Hopper',
        email: 'grace@fabrikam.test',
        via: VIA_AGREEMENT_LINK,
        label: `Grace Hopper (grace@fabrikam.test) ${VIA_AGREEMENT_LINK}`,
      },
      acceptedAt: REPORTED.toISOString(),
      acceptedAtSource: null,
      observedBy: { type: 'user', label: 'ada@contoso.test' },
      observedAt: OBSERVED.toISOString(),
    });
  });

  it('should name no observer when no event was recorded', () => {
    expect(customerAcceptance(attestation(), [])).toMatchObject({ observedBy: null, observedAt: null });
  });
});
