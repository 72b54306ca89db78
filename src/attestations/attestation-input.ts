import type { FieldMessages } from '../common/domain-errors';
import { nameTextProblem, NOT_NAME_TEXT } from '../common/name-text';
import { isCountry, isLanguage } from './countries-languages';
import type { AttestationForm } from './dto/attestation-form.dto';

// What the create form sends, checked field by field (messages next to the fields). Names, company and email are
// kept as entered, only trimmed: the record must show the signatory exactly as the partner gave it.
export interface AttestationInput {
  signatoryFirstName: string;
  signatoryLastName: string;
  signatoryEmail: string;
  signatoryPhone: string | null;
  companyName: string;
  country: string;
  language: string;
  autoFinalize: boolean;
  emailLink: boolean;
  requestToken: string;
}

export const FIELD_LIMITS = { name: 100, email: 254, phone: 40, company: 300 } as const;

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;
const PHONE = /^\+?[0-9][0-9 ().-]{3,39}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

function checkText(errors: FieldMessages, field: string, value: string, label: string, max: number): void {
  if (value === '') errors[field] = `Enter the ${label}`;
  else if ([...value].length > max) errors[field] = `The ${label} must be at most ${max} characters`;
  else if (NOT_NAME_TEXT.test(value)) errors[field] = nameTextProblem(`The ${label}`);
}

// The form's values of an attestation made before ("Create a new link" starts from them).
export function formValuesOf(source: AttestationInput): Record<string, string> {
  return {
    signatoryFirstName: source.signatoryFirstName,
    signatoryLastName: source.signatoryLastName,
    signatoryEmail: source.signatoryEmail,
    signatoryPhone: source.signatoryPhone ?? '',
    companyName: source.companyName,
    country: source.country,
    language: source.language,
    autoFinalize: source.autoFinalize ? 'yes' : 'no',
    emailLink: source.emailLink ? 'yes' : 'no',
  };
}

export function parseAttestationInput(body: AttestationForm): {
  input: AttestationInput;
  errors: FieldMessages;
} {
  const errors: FieldMessages = {};
  const input: AttestationInput = {
    signatoryFirstName: text(body.signatoryFirstName),
    signatoryLastName: text(body.signatoryLastName),
    signatoryEmail: text(body.signatoryEmail),
    signatoryPhone: text(body.signatoryPhone) || null,
    companyName: text(body.companyName),
    country: text(body.country),
    language: text(body.language),
    autoFinalize: body.autoFinalize === 'yes',
    emailLink: body.emailLink === 'yes',
    requestToken: text(body.requestToken).toLowerCase(),
  };
  checkText(errors, 'signatoryFirstName', input.signatoryFirstName, 'first name', FIELD_LIMITS.name);
  checkText(errors, 'signatoryLastName', input.signatoryLastName, 'last name', FIELD_LIMITS.name);
  if (input.signatoryEmail === '') errors.signatoryEmail = 'Enter the email address';
  else if (input.signatoryEmail.length > FIELD_LIMITS.email)
    errors.signatoryEmail = `The email address must be at most ${FIELD_LIMITS.email} characters`;
  else if (!EMAIL.test(input.signatoryEmail))
    errors.signatoryEmail = 'Enter a valid email address, like name@example.com';
  if (input.signatoryPhone !== null && !PHONE.test(input.signatoryPhone))
    errors.signatoryPhone = 'Enter a phone number with digits, spaces and + ( ) - only, at most 40 characters';
  checkText(errors, 'companyName', input.companyName, 'company name', FIELD_LIMITS.company);
  if (!isCountry(input.country)) errors.country = 'Choose a country from the list';
  if (!isLanguage(input.language)) errors.language = 'Choose a language from the list';
  if (body.autoFinalize !== 'yes' && body.autoFinalize !== 'no') errors.autoFinalize = 'Choose Yes or No';
  if (body.emailLink !== 'yes' && body.emailLink !== 'no') errors.emailLink = 'Choose Yes or No';
  if (!UUID.test(input.requestToken))
    errors.requestToken =
      'This form has expired: it was opened too long ago or changed. Check the fields and try again.';
  return { input, errors };
}
