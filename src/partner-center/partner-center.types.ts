// The Partner Center contract as the rest of the app sees it. The HTTP shapes (paths, JSON) live only in the
// client; everything outside it speaks these types.
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

export interface AgreementContact {
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber?: string;
}

export interface CustomerAgreement {
  templateId: string;
  dateAgreed: Date | null;
  dateAgreedUnreadable?: true; // Partner Center sent a dateAgreed that is not a date: left empty
  primaryContact: AgreementContact | null;
  agreementLink: string | null;
}

export interface EnhancedAttestationRequest {
  customerTenantId: string;
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
  acceptanceLink: string;
  expiresAt: Date | null;
  acceptedAt: Date | null;
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
  listCustomerAgreements(credentials: PartnerCenterCredentials, customerTenantId: string): Promise<CustomerAgreement[]>;
  createEnhancedAttestation(
    credentials: PartnerCenterCredentials,
    request: EnhancedAttestationRequest,
    requestId?: string,
  ): Promise<EnhancedAttestation>;
  getEnhancedAttestation(credentials: PartnerCenterCredentials, attestationId: string): Promise<EnhancedAttestation>;
  createAgreementFromAttestation(
    credentials: PartnerCenterCredentials,
    customerTenantId: string,
    attestationId: string,
    requestId?: string,
  ): Promise<CustomerAgreement>;
  authorizationUrl(credentials: PartnerCenterCredentials, redirectUri: string, state: string): string;
  exchangeAuthorizationCode(
    credentials: PartnerCenterCredentials,
    code: string,
    redirectUri: string,
  ): Promise<ConnectedUser>;
}
