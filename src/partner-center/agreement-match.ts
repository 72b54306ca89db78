import { sameContact } from '../common/contact';
import type { AgreementContact, CustomerAgreement } from './partner-center.types';

const startOfUtcDay = (date: Date): number => Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
const isMidnight = (date: Date): boolean => date.getTime() === startOfUtcDay(date);

// Made after the attestation was created. A date at midnight UTC may be a day alone (Microsoft's examples show
// "2019-08-26T00:00:00"): it counts from the attestation's day on.
const madeSince = (dateAgreed: Date, createdAt: Date): boolean =>
  dateAgreed.getTime() >= (isMidnight(dateAgreed) ? startOfUtcDay(createdAt) : createdAt.getTime());

// The agreement that an attestation made: this signatory's, dated after the attestation was created. Null when none
// is: an older one with the same contact details is another attestation's, not this one's result.
export function agreementMadeBy(
  agreements: readonly CustomerAgreement[],
  signatory: AgreementContact,
  createdAt: Date,
): CustomerAgreement | null {
  const made = agreements.filter(
    (agreement) =>
      agreement.primaryContact !== null &&
      agreement.dateAgreed !== null &&
      madeSince(agreement.dateAgreed, createdAt) &&
      sameContact(agreement.primaryContact, signatory),
  );
  return made.sort((a, b) => (b.dateAgreed?.getTime() ?? 0) - (a.dateAgreed?.getTime() ?? 0))[0] ?? null;
}
