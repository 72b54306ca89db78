// The Partner Center contract as the rest of the app sees it. The HTTP shapes (paths, JSON) live only in the
// client; everything outside it speaks these types.
import type { Contact } from '../common/contact';
import { UpstreamError } from '../common/domain-errors';

export type PartnerCenterMode = 'sandbox' | 'live';

// Everything needed to call Partner Center for one broker. In sandbox mode both URLs point at the sandbox.
export interface PartnerCenterCredentials {
  mode: PartnerCenterMode;
  authorityUrl: string; // live: https://login.microsoftonline.com
  apiBaseUrl: string; // live: https://api.partnercenter.microsoft.com
  tenantId: string; // the partner's Microsoft Entra tenant
  appId: string;
  appSecret: string;
  refreshToken?: string; // App+User, from "Connect a Partner Center user"
}

export interface PartnerCustomer {
  tenantId: string; // '' when Partner Center sent none usable: such a customer cannot be stored
  companyName: string; // '' when missing
  domain: string; // '' when missing
  oddities?: string[]; // what had to be mended to keep this customer; absent when nothing
}

export interface CustomerPage {
  items: PartnerCustomer[];
  continuationToken: string | null;
}

export interface McaAgreementMetadata {
  templateId: string;
  agreementLink: string;
}

export type AgreementContact = Contact;

// One partner-confirmed acceptance of the MCA, as Partner Center lists a customer's agreements (Microsoft's Agreement
// resource): made by this app, in Partner Center's UI, with the bulk tool, through the legacy API or elsewhere.
export interface CustomerAgreement {
  templateId: string | null; // null when Partner Center sent none
  dateAgreed: Date | null; // null when missing or unreadable
  primaryContact: AgreementContact | null;
  agreementLink: string | null;
  userId: string | null; // the partner user who confirmed, when Partner Center says
}

// A customer's MCA agreements; `oddities` names what was skipped or left empty (an agreement of another type, a
// date that is not a date), for the sync to report.
export interface CustomerAgreements {
  items: CustomerAgreement[];
  oddities: string[];
}

// What the app knows of an attestation when it finalizes: Partner Center's 600061 is success only when an
// agreement with these contact details, dated on or after the attestation's creation, exists.
export interface FinalizeRequest {
  customerTenantId: string;
  attestationId: string;
  signatory: AgreementContact;
  createdAt: Date;
  acceptedAt: Date | null;
  templateId: string | null;
}

// The enhanced attestation's create fields, as Microsoft documents them (partner-center.assumed.ts names the two
// whose spelling no page we could read shows). No customer id: the attestation meets its customer at finalize.
export interface EnhancedAttestationRequest {
  signatoryFirstName: string;
  signatoryLastName: string;
  signatoryEmail: string;
  signatoryPhoneNumber?: string;
  companyName: string;
  country: string; // ISO 3166-1 alpha-2
  language: string; // e.g. en-US
}

export type EnhancedAttestationStatus = 'pending' | 'accepted' | 'expired';

export interface EnhancedAttestation {
  id: string;
  status: EnhancedAttestationStatus;
  componentUrl: string | null; // Microsoft's parameterised link when its answer carries one
  expiresAt: Date | null;
  acceptedAt: Date | null;
  unreadable?: string; // the create answer held the id but not the rest: why (the attestation is kept all the same)
}

export interface ConnectedUser {
  refreshToken: string;
  userPrincipalName: string | null;
}

// What went wrong, in terms a user can act on; `kind` lets callers decide (e.g. retry later, fix settings).
export type PartnerCenterErrorKind =
  | 'auth' // credentials refused: fix the settings
  | 'forbidden' // signed in but not allowed (e.g. no reseller relationship, App+User needed)
  | 'not_found'
  | 'rejected' // 4xx with Partner Center's own message (bad contact, already exists, ...)
  | 'rate_limited' // 429 after every retry
  | 'unavailable' // 5xx or connection refused after every retry
  | 'timeout'
  | 'invalid_response'; // not the JSON we expect

export class PartnerCenterError extends UpstreamError {
  constructor(
    readonly kind: PartnerCenterErrorKind,
    message: string,
    readonly details: {
      status?: number;
      code?: number;
      errorName?: string;
      requestId?: string;
      retryAfterMs?: number; // what Partner Center's last Retry-After asked for, when it said
    } = {},
  ) {
    super(message, kind === 'rejected');
  }
}

// Implemented by PartnerCenterClient (src/partner-center/partner-center.client.ts).
export interface PartnerCenterApi {
  listCustomers(
    credentials: PartnerCenterCredentials,
    options?: { pageSize?: number; continuationToken?: string | null },
  ): Promise<CustomerPage>;
  getMcaAgreementMetadata(credentials: PartnerCenterCredentials): Promise<McaAgreementMetadata>;
  getDirectAcceptance(credentials: PartnerCenterCredentials, customerTenantId: string): Promise<boolean>;
  listCustomerAgreements(credentials: PartnerCenterCredentials, customerTenantId: string): Promise<CustomerAgreements>;
  createEnhancedAttestation(
    credentials: PartnerCenterCredentials,
    request: EnhancedAttestationRequest,
    requestId?: string,
  ): Promise<EnhancedAttestation>;
  getEnhancedAttestation(credentials: PartnerCenterCredentials, attestationId: string): Promise<EnhancedAttestation>;
  createAgreementFromAttestation(
    credentials: PartnerCenterCredentials,
    request: FinalizeRequest,
    requestId?: string,
  ): Promise<CustomerAgreement>;
  authorizationUrl(credentials: PartnerCenterCredentials, redirectUri: string, state: string): string;
  exchangeAuthorizationCode(
    credentials: PartnerCenterCredentials,
    code: string,
    redirectUri: string,
  ): Promise<ConnectedUser>;
}
