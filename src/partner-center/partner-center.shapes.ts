import {
  asArray,
  asObject,
  invalidResponse,
  optionalString,
  parseJsonText,
  requiredBoolean,
  requiredString,
  webLink,
  type JsonObject,
} from './partner-center.json';
import {
  AGREEMENT_ATTESTATION_ID_FIELD,
  enhancedAttestationPath,
  SIGNATORY_EMAIL_FIELD,
  SIGNATORY_PHONE_FIELD,
} from './partner-center.assumed';
import type {
  AgreementContact,
  CustomerAgreement,
  CustomerAgreements,
  CustomerPage,
  EnhancedAttestationRequest,
  FinalizeRequest,
  McaAgreementMetadata,
  PartnerCustomer,
} from './partner-center.types';

// Every path and JSON shape of the Partner Center REST contract as Microsoft documents it, in one place (the pages
// are cited in docs/partner-center.md); what no page we could read shows lives in partner-center.assumed.ts.
// The sandbox builds its answers from the same wire types.

export const MCA_AGREEMENT_TYPE = 'MicrosoftCustomerAgreement';
export const APP_SCOPE = 'https://api.partnercenter.microsoft.com/.default';
export const USER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation offline_access openid profile';
export const CONTINUATION_HEADER = 'MS-ContinuationToken';
// "A partner confirmed agreement already exists for the customer" (PartnerConfirmedAgreementAlreadyExists): Microsoft
// refuses a second partner-confirmed agreement whose first name, last name, email and phone equal an existing one's.
export const AGREEMENT_ALREADY_EXISTS = 600061;
// "Required. Specifies the version of the API requested" (Partner Center REST headers).
export const CONTRACT_VERSION_HEADER = 'MS-Contract-Version';
export const CONTRACT_VERSION = 'v1';

const segment = encodeURIComponent;

export const pcPaths = {
  token: (tenantId: string) => `/${segment(tenantId)}/oauth2/v2.0/token`,
  authorize: (tenantId: string) => `/${segment(tenantId)}/oauth2/v2.0/authorize`,
  customers: (size: number, next: boolean) => `/v1/customers?size=${size}${next ? '&seekOperation=Next' : ''}`,
  agreementMetadata: () => `/v1/agreements?agreementType=${MCA_AGREEMENT_TYPE}`,
  directAcceptance: (customerId: string) =>
    `/v1/customers/${segment(customerId)}/directSignedMicrosoftCustomerAgreementStatus`,
  customerAgreements: (customerId: string) =>
    `/v1/customers/${segment(customerId)}/agreements?agreementType=${MCA_AGREEMENT_TYPE}`,
  createAgreement: (customerId: string) => `/v1/customers/${segment(customerId)}/agreements`,
  enhancedAttestations: () => '/v1/attestations/enhanced',
  enhancedAttestation: enhancedAttestationPath,
};

// Wire types: what goes over HTTP.
export interface WireLink {
  uri: string;
  method: string;
  headers: { key: string; value: string }[];
}

export interface WireCollection<T> {
  totalCount: number;
  items: T[];
  links?: { self?: WireLink; next?: WireLink };
  continuationToken?: string;
  attributes: { objectType: 'Collection' };
}

export interface WireCustomer {
  id: string;
  companyProfile: { tenantId: string; domain: string; companyName: string };
  relationshipToPartner: string;
  attributes: { objectType: 'Customer' };
}

export interface WireAgreementMetadata {
  templateId: string;
  agreementType: string;
  agreementLink: string;
  versionRank: number;
}

export interface WireContact {
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber?: string;
}

// Microsoft's Agreement resource (agreement-resources): no attestation id among its properties.
export interface WireCustomerAgreement {
  userId?: string;
  primaryContact: WireContact | null;
  templateId: string;
  dateAgreed: string;
  type: string;
  agreementLink: string;
}

export interface WireEnhancedAttestationRequest {
  country: string;
  language: string;
  companyName: string;
  signatoryFirstName: string;
  signatoryLastName: string;
  [SIGNATORY_EMAIL_FIELD]: string;
  [SIGNATORY_PHONE_FIELD]?: string;
}

// What the sandbox answers (partner-center.assumed.ts reads it, and would read Microsoft's other names too).
export interface WireEnhancedAttestation {
  id: string;
  status: 'Pending' | 'Accepted' | 'Expired';
  createdDateTime: string;
  expirationDateTime: string;
  acceptedDateTime: string | null;
}

// The documented Agreement fields, and the attestation's id under its assumed name.
export interface WireCreateAgreementRequest {
  [AGREEMENT_ATTESTATION_ID_FIELD]: string;
  primaryContact: WireContact;
  templateId?: string;
  dateAgreed?: string;
  type: string;
}

export interface WireError {
  code: number;
  message: string;
  errorName?: string;
  isRetryable?: boolean;
}

export interface WireTokenResponse {
  token_type: 'Bearer';
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

export interface WireOAuthError {
  error: string;
  error_description: string;
}

// Request bodies.
// Exactly the documented fields, in the page's order, and nothing else.
export function enhancedAttestationBody(request: EnhancedAttestationRequest): WireEnhancedAttestationRequest {
  return {
    country: request.country,
    language: request.language,
    companyName: request.companyName,
    signatoryFirstName: request.signatoryFirstName,
    signatoryLastName: request.signatoryLastName,
    [SIGNATORY_EMAIL_FIELD]: request.signatoryEmail,
    ...(request.signatoryPhoneNumber ? { [SIGNATORY_PHONE_FIELD]: request.signatoryPhoneNumber } : {}),
  };
}

// Dates in UTC, as the Agreement resource asks ("string in UTC date time format").
export function createAgreementBody(request: FinalizeRequest): WireCreateAgreementRequest {
  const { signatory } = request;
  return {
    [AGREEMENT_ATTESTATION_ID_FIELD]: request.attestationId,
    primaryContact: {
      firstName: signatory.firstName,
      lastName: signatory.lastName,
      email: signatory.email,
      ...(signatory.phoneNumber ? { phoneNumber: signatory.phoneNumber } : {}),
    },
    ...(request.templateId ? { templateId: request.templateId } : {}),
    ...(request.acceptedAt ? { dateAgreed: request.acceptedAt.toISOString() } : {}),
    type: MCA_AGREEMENT_TYPE,
  };
}

// Parsers: untrusted JSON text in, the app's types out, or an `invalid_response` error.

// One customer's odd data must not stop a sync of all the others: what can be kept is kept (a long text cut, a
// missing one left empty for the sync to fill in) and the oddity named, for the sync to report.
const CUSTOMER_TEXT_MAX = 500;
const CUSTOMER_ID_MAX = 100;

function mendedText(object: JsonObject, key: string, max: number, oddities: string[]): string {
  const value = object[key];
  if (typeof value !== 'string' || value.trim() === '') {
    oddities.push(`no ${key}`);
    return '';
  }
  if (value.length <= max) return value;
  oddities.push(`${key} longer than ${max} characters, cut`);
  return value.slice(0, max);
}

function parseCustomer(value: unknown, operation: string): PartnerCustomer {
  const customer = asObject(value, operation, 'a customer');
  const oddities: string[] = [];
  const rawId = customer.id;
  const tenantId =
    typeof rawId === 'string' && rawId.trim() !== '' && rawId.length <= CUSTOMER_ID_MAX
      ? rawId
      : (oddities.push('no usable id'), '');
  const profile =
    typeof customer.companyProfile === 'object' &&
    customer.companyProfile !== null &&
    !Array.isArray(customer.companyProfile)
      ? (customer.companyProfile as JsonObject)
      : {};
  return {
    tenantId,
    companyName: mendedText(profile, 'companyName', CUSTOMER_TEXT_MAX, oddities),
    domain: mendedText(profile, 'domain', CUSTOMER_TEXT_MAX, oddities),
    ...(oddities.length > 0 ? { oddities } : {}),
  };
}

function continuationOf(collection: JsonObject, operation: string): string | null {
  const links =
    collection.links === undefined || collection.links === null ? {} : asObject(collection.links, operation, '"links"');
  if (links.next !== undefined && links.next !== null) {
    const next = asObject(links.next, operation, '"links.next"');
    const headers = asArray(next.headers ?? [], operation, '"links.next.headers"');
    for (const header of headers) {
      const entry = asObject(header, operation, 'a header of "links.next"');
      if (typeof entry.key === 'string' && entry.key.toLowerCase() === CONTINUATION_HEADER.toLowerCase())
        return requiredString(entry, 'value', operation, 4_000);
    }
  }
  return optionalString(collection, 'continuationToken', operation, 4_000);
}

export function parseCustomerPage(text: string): CustomerPage {
  const operation = 'the customer list';
  const collection = asObject(parseJsonText(text, operation), operation, 'the answer');
  const items = asArray(collection.items, operation, '"items"').map((item) => parseCustomer(item, operation));
  return { items, continuationToken: continuationOf(collection, operation) };
}

export function parseAgreementMetadata(text: string): McaAgreementMetadata {
  const operation = 'the agreement metadata request';
  const collection = asObject(parseJsonText(text, operation), operation, 'the answer');
  const items = asArray(collection.items, operation, '"items"').map((item) =>
    asObject(item, operation, 'an agreement'),
  );
  // Responses name the field `agreementType`; one of Microsoft's tables says `type`.
  const mca = items.filter((item) => (item.agreementType ?? item.type) === MCA_AGREEMENT_TYPE);
  if (mca.length === 0) throw invalidResponse(operation, 'no Microsoft Customer Agreement in the list');
  const latest = mca.reduce((best, item) =>
    Number(item.versionRank ?? 0) > Number(best.versionRank ?? 0) ? item : best,
  );
  return {
    templateId: requiredString(latest, 'templateId', operation, 100),
    agreementLink: webLink(latest, 'agreementLink', operation, true) as string,
  };
}

export function parseDirectAcceptance(text: string): boolean {
  const operation = 'the direct acceptance request';
  return requiredBoolean(asObject(parseJsonText(text, operation), operation, 'the answer'), 'isSigned', operation);
}

const textOf = (object: JsonObject, key: string, max: number): string | null => {
  const value = object[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : null;
};

// Microsoft's Contact: firstName, lastName, email, phoneNumber (optional). What is not text is left empty.
function parseContact(value: unknown): AgreementContact | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const contact = value as JsonObject;
  const phoneNumber = textOf(contact, 'phoneNumber', 100);
  return {
    firstName: textOf(contact, 'firstName', 200) ?? '',
    lastName: textOf(contact, 'lastName', 200) ?? '',
    email: textOf(contact, 'email', 320) ?? '',
    ...(phoneNumber ? { phoneNumber } : {}),
  };
}

// Partner Center's example shows dateAgreed without a zone ("2019-08-26T00:00:00"); the Agreement resource says UTC.
function agreementDate(value: unknown): Date | null | 'unreadable' {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 64) return 'unreadable';
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) || !/T/.test(value) ? value : `${value}Z`;
  const date = new Date(zoned);
  return Number.isNaN(date.getTime()) ? 'unreadable' : date;
}

// One agreement, or null (with the reason in `oddities`) when it is not a Microsoft Customer Agreement. Missing or
// odd fields are left empty rather than refusing the customer's whole answer: the acceptance still counts.
function parseCustomerAgreement(value: unknown, operation: string, oddities: string[]): CustomerAgreement | null {
  const agreement = asObject(value, operation, 'an agreement');
  const type = textOf(agreement, 'type', 100) ?? textOf(agreement, 'agreementType', 100);
  if (type !== null && type !== MCA_AGREEMENT_TYPE) {
    oddities.push(`an agreement of type ${JSON.stringify(type.slice(0, 40))} skipped`);
    return null;
  }
  if (type === null) oddities.push('an agreement without a type, counted as the MCA asked for');
  const dateAgreed = agreementDate(agreement.dateAgreed);
  if (dateAgreed === 'unreadable') oddities.push('dateAgreed not a date');
  else if (dateAgreed === null) oddities.push('an agreement without dateAgreed');
  const templateId = textOf(agreement, 'templateId', 100);
  if (templateId === null) oddities.push('an agreement without templateId');
  let agreementLink: string | null = null;
  try {
    agreementLink = webLink(agreement, 'agreementLink', operation, false);
  } catch {
    oddities.push('agreementLink not a web link');
  }
  return {
    templateId,
    dateAgreed: dateAgreed === 'unreadable' ? null : dateAgreed,
    primaryContact: parseContact(agreement.primaryContact),
    agreementLink,
    userId: textOf(agreement, 'userId', 100),
  };
}

export function parseCustomerAgreements(text: string): CustomerAgreements {
  const operation = "the customer's agreements";
  const collection = asObject(parseJsonText(text, operation), operation, 'the answer');
  const oddities: string[] = [];
  const items = asArray(collection.items, operation, '"items"')
    .map((item) => parseCustomerAgreement(item, operation, oddities))
    .filter((item): item is CustomerAgreement => item !== null);
  return { items, oddities: [...new Set(oddities)] };
}

export function parseCreatedAgreement(text: string): CustomerAgreement {
  const operation = 'the create-agreement request';
  const agreement = parseCustomerAgreement(parseJsonText(text, operation), operation, []);
  if (!agreement) throw invalidResponse(operation, 'the agreement made is not a Microsoft Customer Agreement');
  return agreement;
}

export interface TokenGrant {
  accessToken: string;
  expiresInSeconds: number;
  refreshToken: string | null;
  userPrincipalName: string | null;
}

// The id token is only read for the signed-in user's name to show; it grants nothing, so it is not verified.
function userPrincipalNameOf(idToken: string | null): string | null {
  const payload = idToken?.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (typeof claims !== 'object' || claims === null) return null;
    const { preferred_username: preferred, upn } = claims as JsonObject;
    const name = typeof preferred === 'string' ? preferred : typeof upn === 'string' ? upn : null;
    return name && name.length <= 320 ? name : null;
  } catch {
    return null;
  }
}

export function parseTokenResponse(text: string): TokenGrant {
  const operation = 'the sign-in request';
  const token = asObject(parseJsonText(text, operation), operation, 'the answer');
  // Older Entra endpoints send expires_in as text.
  const expiresIn = Number(token.expires_in);
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) throw invalidResponse(operation, '"expires_in" is missing');
  return {
    accessToken: requiredString(token, 'access_token', operation, 20_000),
    expiresInSeconds: expiresIn,
    refreshToken: optionalString(token, 'refresh_token', operation, 20_000),
    userPrincipalName: userPrincipalNameOf(optionalString(token, 'id_token', operation, 20_000)),
  };
}

export interface ErrorBody {
  code?: number;
  message?: string;
  errorName?: string;
  oauthError?: string;
}

const cleanText = (value: unknown) =>
  typeof value === 'string'
    ? value
        .replace(/[\u0000-\u001f\u007f]+/g, ' ')
        .trim()
        .slice(0, 500)
    : undefined;

// Partner Center errors are `{code, message|description, errorName}`; Entra's are `{error, error_description}`.
// Anything else (an HTML error page from a proxy) yields an empty body and a message from the status alone.
export function parseErrorBody(text: string): ErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const object = body as JsonObject;
  const code =
    typeof object.code === 'number'
      ? object.code
      : typeof object.code === 'string' && /^\d+$/.test(object.code)
        ? Number(object.code)
        : undefined;
  return {
    code,
    message: cleanText(object.message) ?? cleanText(object.description) ?? cleanText(object.error_description),
    errorName: cleanText(object.errorName),
    oauthError: cleanText(object.error),
  };
}
