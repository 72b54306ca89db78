import { sameContact } from '../common/contact';
import type { AgreementContact, CustomerAgreement } from './partner-center.types';

const startOfUtcDay = (date: Date): number =>
  Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());

// The agreement that an attestation made: this signatory's, dated on or after the day the attestation was created
// (Partner Center may date an agreement by its day alone). Null when none is: an older one with the same contact is
// someone else's attestation, not this one's result.
export function agreementMadeBy(
  agreements: readonly CustomerAgreement[],
  signatory: AgreementContact,
  createdAt: Date,
): CustomerAgreement | null {
  const from = startOfUtcDay(createdAt);
  const made = agreements.filter(
    (agreement) =>
      agreement.primaryContact !== null &&
      agreement.dateAgreed !== null &&
      agreement.dateAgreed.getTime() >= from &&
      sameContact(agreement.primaryContact, signatory),
  );
  return made.sort((a, b) => (b.dateAgreed?.getTime() ?? 0) - (a.dateAgreed?.getTime() ?? 0))[0] ?? null;
}
