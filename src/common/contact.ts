// A person as Partner Center records them on an agreement (Microsoft's Contact: firstName, lastName, email, an
// optional phoneNumber), shared by the Partner Center client, the sandbox and the tenants that keep a signatory.
export interface Contact {
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber?: string;
}

// Microsoft allows another partner-confirmed agreement only when "the First name, Last name, Email address, and Phone
// number" differ (600061, integrate-sandbox-confirm-customer-accept). Compared as a person would: names and email
// without case or surrounding space, phone numbers by their digits, no phone equal to no phone.
const text = (value: string | undefined): string => (value ?? '').trim().toLowerCase();
const digits = (value: string | undefined): string => (value ?? '').replace(/\D+/g, '');

export function sameContact(a: Contact, b: Contact): boolean {
  return (
    text(a.firstName) === text(b.firstName) &&
    text(a.lastName) === text(b.lastName) &&
    text(a.email) === text(b.email) &&
    digits(a.phoneNumber) === digits(b.phoneNumber)
  );
}

// "First Last <email>", as lists and reports show a signatory.
export const contactLabel = (contact: Contact): string =>
  `${`${contact.firstName} ${contact.lastName}`.trim()}${contact.email ? ` <${contact.email}>` : ''}`;
