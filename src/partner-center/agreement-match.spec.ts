import type { Contact } from '../common/contact';
import { agreementMadeBy } from './agreement-match';
import type { CustomerAgreement } from './partner-center.types';

const SIGNE = {
  firstName: 'Signe',
  lastName: 'Signatory',
  email: 'signe@customer.test',
  phoneNumber: '+44 20 7946 0000',
};
const CREATED = new Date('2026-12-07T10:00:00Z');

const agreement = (dateAgreed: string | null, contact: Contact = SIGNE): CustomerAgreement => ({
  templateId: '117a77b0-9360-443b-8795-c6dedc750cf9',
  dateAgreed: dateAgreed ? new Date(dateAgreed) : null,
  primaryContact: contact,
  agreementLink: null,
  userId: null,
});

describe('agreementMadeBy', () => {
  it("should find this signatory's agreement made after the attestation, whatever the case, spaces or phone format", () => {
    const made = agreement('2026-12-07T10:05:00Z', {
      firstName: ' signe',
      lastName: 'SIGNATORY',
      email: 'Signe@Customer.test',
      phoneNumber: '+44 (20) 7946-0000',
    });
    expect(agreementMadeBy([agreement('2025-01-01T00:00:00Z'), made], SIGNE, CREATED)).toBe(made);
  });

  it('should not take an older agreement with the same contact details for this one (600061 for someone else)', () => {
    expect(agreementMadeBy([agreement('2026-12-07T09:59:59Z')], SIGNE, CREATED)).toBeNull();
    expect(agreementMadeBy([agreement(null)], SIGNE, CREATED)).toBeNull();
  });

  it("should not take another signatory's agreement, nor one that differs only by phone", () => {
    expect(
      agreementMadeBy([agreement('2026-12-08T00:00:00Z', { ...SIGNE, lastName: 'Other' })], SIGNE, CREATED),
    ).toBeNull();
    const { phoneNumber: _phone, ...withoutPhone } = SIGNE;
    expect(agreementMadeBy([agreement('2026-12-08T00:00:00Z', withoutPhone)], SIGNE, CREATED)).toBeNull();
  });

  it('should count a date without a time from the day the attestation was created', () => {
    expect(agreementMadeBy([agreement('2026-12-07T00:00:00Z')], SIGNE, CREATED)).not.toBeNull();
    expect(agreementMadeBy([agreement('2026-12-06T00:00:00Z')], SIGNE, CREATED)).toBeNull();
  });
});
