import {
  asObject,
  invalidResponse,
  optionalDate,
  optionalString,
  parseJsonText,
  webLink,
  type JsonObject,
} from './partner-center.json';
import type { EnhancedAttestation, EnhancedAttestationStatus } from './partner-center.types';

// Shapes we assume. Microsoft's page for the enhanced attestation ("Confirm customer acceptance and create agreement
// for MCA using APIs", https://learn.microsoft.com/partner-center/customers/integrate-sandbox-confirm-customer-accept)
// could be read only in part (docs/partner-center.md says which part). Everything below is a guess where that page
// was not readable, each marked with why; the documented shapes live in partner-center.shapes.ts. When Microsoft's
// full page is read, this file is where the app changes. The README's Partner Center section lists these.

// ASSUMED: the create fields after `signatoryLastName` were cut off on every copy we could read. The page's
// prerequisites list "Email address" and "Phone number (optional)"; these names follow its `signatory…` pattern.
export const SIGNATORY_EMAIL_FIELD = 'signatoryEmail';
export const SIGNATORY_PHONE_FIELD = 'signatoryPhoneNumber';

// ASSUMED: the page names no call that reads an attestation back; this is the create path with the id appended,
// REST's usual shape.
export const enhancedAttestationPath = (attestationId: string): string =>
  `/v1/attestations/enhanced/${encodeURIComponent(attestationId)}`;

// ASSUMED: step 3 "uses the attestation ID to create the agreement through the Create agreement API" (POST
// /v1/customers/{id}/agreements, documented with primaryContact, dateAgreed, templateId and type); how the id is
// passed is not readable, so it goes beside the documented fields under this name.
export const AGREEMENT_ATTESTATION_ID_FIELD = 'attestationId';

// ASSUMED: no response example could be read. The attestation's id is taken from `id` or `attestationId`, or from
// the Location header of the 201; its state from `status`; Microsoft's link, where it sends one, from
// `acceptanceLink`, `acceptanceUrl` or `url`; its dates from `expirationDateTime` and `acceptedDateTime`.
const ID_FIELDS = ['id', 'attestationId'] as const;
const LINK_FIELDS = ['acceptanceLink', 'acceptanceUrl', 'url'] as const;
const STATUSES: Record<string, EnhancedAttestationStatus> = {
  pending: 'pending',
  created: 'pending',
  accepted: 'accepted',
  expired: 'expired',
};

function idIn(object: JsonObject | null, location: string | null): string | null {
  for (const field of ID_FIELDS) {
    const value = object?.[field];
    if (typeof value === 'string' && value.trim() !== '' && value.length <= 200) return value.trim();
  }
  const fromLocation = location ? /\/attestations\/enhanced\/([^/?#]+)\/?$/.exec(location)?.[1] : undefined;
  return fromLocation ? decodeURIComponent(fromLocation).slice(0, 200) : null;
}

function linkIn(object: JsonObject, operation: string): string | null {
  for (const field of LINK_FIELDS) {
    const value = webLink(object, field, operation, false);
    if (value !== null) return value;
  }
  return null;
}

function attestationFrom(object: JsonObject, id: string, operation: string): EnhancedAttestation {
  const raw = optionalString(object, 'status', operation, 50);
  const status = raw === null ? 'pending' : STATUSES[raw.toLowerCase()];
  if (!status) throw invalidResponse(operation, `"status" is ${JSON.stringify(raw)}, not pending, accepted or expired`);
  return {
    id,
    status,
    componentUrl: linkIn(object, operation),
    expiresAt: optionalDate(object, 'expirationDateTime', operation),
    acceptedAt: optionalDate(object, 'acceptedDateTime', operation),
  };
}

// A read of one attestation: an answer without its state is not an answer.
export function parseEnhancedAttestation(text: string): EnhancedAttestation {
  const operation = 'the attestation request';
  const object = asObject(parseJsonText(text, operation), operation, 'the answer');
  const id = idIn(object, null);
  if (!id) throw invalidResponse(operation, '"id" is missing');
  if (optionalString(object, 'status', operation, 50) === null) throw invalidResponse(operation, '"status" is missing');
  return attestationFrom(object, id, operation);
}

// The create's answer: once Microsoft made the attestation, its id is kept whatever else the answer lacks, so that
// no attestation is left in Partner Center without its record here.
export function parseCreatedAttestation(text: string, location: string | null): EnhancedAttestation {
  const operation = 'the attestation request';
  let object: JsonObject | null = null;
  let problem: string | null = null;
  try {
    object = asObject(parseJsonText(text, operation), operation, 'the answer');
  } catch (error) {
    problem = (error as Error).message;
  }
  const id = idIn(object, location);
  if (!id) throw invalidResponse(operation, 'it names no attestation id');
  if (object) {
    try {
      return attestationFrom(object, id, operation);
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  return { id, status: 'pending', componentUrl: null, expiresAt: null, acceptedAt: null, unreadable: problem ?? '' };
}

// ASSUMED: Microsoft's "parameterized link" to its embeddable component (step 2 of the page) is a URL template we
// could not read; PARTNER_CENTER_COMPONENT_URL holds it, with {attestationId} and {language} in it. The sandbox
// serves its component at the same shape.
export const COMPONENT_PARAMETERS = ['{attestationId}', '{language}'] as const;

export function componentUrl(template: string, attestationId: string, language: string): string {
  return template
    .replaceAll('{attestationId}', encodeURIComponent(attestationId))
    .replaceAll('{language}', encodeURIComponent(language));
}
