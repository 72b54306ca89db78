import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { agreementMadeBy } from './agreement-match';
import { parseCreatedAttestation, parseEnhancedAttestation } from './partner-center.assumed';
import { errorFromResponse } from './partner-center.errors';
import {
  PARTNER_CENTER_CLIENT_OPTIONS,
  resolveClientOptions,
  type PartnerCenterClientOptions,
} from './partner-center.options';
import {
  AGREEMENT_ALREADY_EXISTS,
  CONTINUATION_HEADER,
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  createAgreementBody,
  enhancedAttestationBody,
  parseAgreementMetadata,
  parseCreatedAgreement,
  parseCustomerAgreements,
  parseCustomerPage,
  parseDirectAcceptance,
  pcPaths,
  USER_SCOPE,
} from './partner-center.shapes';
import { parseRetryAfterMs, PartnerCenterTransport } from './partner-center.transport';
import {
  PartnerCenterError,
  type ConnectedUser,
  type CustomerAgreement,
  type CustomerAgreements,
  type CustomerPage,
  type EnhancedAttestation,
  type EnhancedAttestationRequest,
  type FinalizeRequest,
  type McaAgreementMetadata,
  type PartnerCenterApi,
  type PartnerCenterCredentials,
} from './partner-center.types';
import { TokenCache, type CallIds, type RotationListener, type TokenKind } from './token-cache';

interface ApiCall<T> {
  auth: TokenKind;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  operation: string;
  requestId?: string;
  parse: (text: string, headers: Headers) => T;
  attestation?: true; // a call of the attestation flow: a 403 says who may attest
}

// Microsoft: "You must have the user role Admin agent or Sales agent to confirm customer acceptance", and "Indirect
// resellers can't attest ... they must work with their indirect provider" (confirm-customer-agreement).
export const WHO_MAY_ATTEST =
  'attesting needs a Partner Center user with the Admin agent or Sales agent role (and an app registered for the Partner Center API); indirect resellers cannot attest: their indirect provider does it for them';

// Microsoft's words for 600061 where no agreement of this attestation's signatory exists: the contact details are
// already used by another partner-confirmed agreement of this customer.
export const CONTACT_ALREADY_USED =
  'Microsoft already holds a partner attestation with these contact details for this customer; create a new attestation with different signatory details (first name, last name, email or phone)';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

// Speaks Partner Center's REST contract (the same against Microsoft and against the sandbox; only the URLs in
// the credentials differ). Each public method is one logical operation with its own MS-RequestId.
@Injectable()
export class PartnerCenterClient implements PartnerCenterApi {
  private readonly transport: PartnerCenterTransport;
  private readonly tokens: TokenCache;
  private readonly now: () => number;

  constructor(@Optional() @Inject(PARTNER_CENTER_CLIENT_OPTIONS) options?: Partial<PartnerCenterClientOptions>) {
    const resolved = resolveClientOptions(options);
    this.now = resolved.now;
    this.transport = new PartnerCenterTransport(resolved);
    this.tokens = new TokenCache(this.transport, resolved);
  }

  listCustomers(
    credentials: PartnerCenterCredentials,
    options: { pageSize?: number; continuationToken?: string | null } = {},
  ): Promise<CustomerPage> {
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE)));
    const next = Boolean(options.continuationToken);
    return this.call(credentials, {
      auth: 'app',
      method: 'GET',
      path: pcPaths.customers(size, next),
      headers: next ? { [CONTINUATION_HEADER]: options.continuationToken as string } : {},
      operation: 'listing customers',
      parse: parseCustomerPage,
    });
  }

  // "This scenario supports App+User authentication only" (get-customer-agreement-metadata).
  getMcaAgreementMetadata(credentials: PartnerCenterCredentials): Promise<McaAgreementMetadata> {
    return this.call(credentials, {
      auth: 'user',
      method: 'GET',
      path: pcPaths.agreementMetadata(),
      operation: 'reading the Microsoft Customer Agreement template',
      parse: parseAgreementMetadata,
    });
  }

  getDirectAcceptance(credentials: PartnerCenterCredentials, customerTenantId: string): Promise<boolean> {
    return this.call(credentials, {
      auth: 'user',
      method: 'GET',
      path: pcPaths.directAcceptance(customerTenantId),
      operation: "reading the customer's direct acceptance",
      parse: parseDirectAcceptance,
    });
  }

  // "This scenario only supports App+User authentication" (get-confirmation-of-customer-agreement).
  listCustomerAgreements(credentials: PartnerCenterCredentials, customerTenantId: string): Promise<CustomerAgreements> {
    return this.call(credentials, {
      auth: 'user',
      method: 'GET',
      path: pcPaths.customerAgreements(customerTenantId),
      operation: "reading the customer's agreements",
      parse: parseCustomerAgreements,
    });
  }

  // "This scenario only supports AppOnly authentication" (integrate-sandbox-confirm-customer-accept), for each call of
  // the enhanced attestation flow.
  createEnhancedAttestation(
    credentials: PartnerCenterCredentials,
    request: EnhancedAttestationRequest,
    requestId?: string,
  ): Promise<EnhancedAttestation> {
    return this.call(credentials, {
      auth: 'app',
      method: 'POST',
      path: pcPaths.enhancedAttestations(),
      body: enhancedAttestationBody(request),
      operation: 'creating the attestation',
      requestId,
      parse: (text, headers) => parseCreatedAttestation(text, headers.get('location')),
      attestation: true,
    });
  }

  getEnhancedAttestation(credentials: PartnerCenterCredentials, attestationId: string): Promise<EnhancedAttestation> {
    return this.call(credentials, {
      auth: 'app',
      method: 'GET',
      path: pcPaths.enhancedAttestation(attestationId),
      operation: 'reading the attestation',
      parse: parseEnhancedAttestation,
      attestation: true,
    });
  }

  // 600061 is success only when it means this attestation's agreement already exists (an earlier try went through
  // and its answer was lost): an agreement with this signatory's contact details, dated from the attestation's
  // creation on. Otherwise the contact details belong to another partner-confirmed agreement, and this one fails.
  async createAgreementFromAttestation(
    credentials: PartnerCenterCredentials,
    request: FinalizeRequest,
    requestId?: string,
  ): Promise<CustomerAgreement> {
    try {
      return await this.call(credentials, {
        auth: 'app',
        method: 'POST',
        path: pcPaths.createAgreement(request.customerTenantId),
        body: createAgreementBody(request),
        operation: 'finalizing the attestation',
        requestId,
        parse: parseCreatedAgreement,
        attestation: true,
      });
    } catch (error) {
      if (!(error instanceof PartnerCenterError) || error.details.code !== AGREEMENT_ALREADY_EXISTS) throw error;
      const agreements = await this.listCustomerAgreements(credentials, request.customerTenantId);
      const made = agreementMadeBy(agreements.items, request.signatory, request.createdAt);
      if (made) return made;
      throw new PartnerCenterError('rejected', CONTACT_ALREADY_USED, error.details);
    }
  }

  authorizationUrl(credentials: PartnerCenterCredentials, redirectUri: string, state: string): string {
    const url = new URL(pcPaths.authorize(credentials.tenantId), credentials.authorityUrl);
    url.search = new URLSearchParams({
      client_id: credentials.appId,
      response_type: 'code',
      redirect_uri: redirectUri,
      response_mode: 'query',
      scope: USER_SCOPE,
      state,
    }).toString();
    return url.toString();
  }

  async exchangeAuthorizationCode(
    credentials: PartnerCenterCredentials,
    code: string,
    redirectUri: string,
  ): Promise<ConnectedUser> {
    const grant = await this.tokens.redeemCode(credentials, code, redirectUri, this.newIds());
    return { refreshToken: grant.refreshToken as string, userPrincipalName: grant.userPrincipalName };
  }

  // Not part of PartnerCenterApi: called with the new refresh token (in the caller's async context, so the broker
  // is known) each time Entra rotates it; returns a function that unsubscribes.
  onRefreshTokenRotated(listener: RotationListener): () => void {
    return this.tokens.onRefreshTokenRotated(listener);
  }

  private newIds(requestId?: string): CallIds {
    return { requestId: requestId ?? randomUUID() };
  }

  private async call<T>(credentials: PartnerCenterCredentials, call: ApiCall<T>): Promise<T> {
    const ids = this.newIds(call.requestId);
    let response = await this.send(credentials, call, ids);
    // An expired or revoked token: one new token, one more try.
    if (response.status === 401) {
      this.tokens.invalidate(credentials, call.auth);
      response = await this.send(credentials, call, ids);
    }
    if (response.status < 200 || response.status >= 300) {
      const error = errorFromResponse(response.status, response.text, {
        operation: call.operation,
        requestId: ids.requestId,
        attempts: response.attempts,
        ...(call.attestation ? { forbiddenHint: WHO_MAY_ATTEST } : {}),
      });
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), this.now());
      if (retryAfterMs !== null) error.details.retryAfterMs = retryAfterMs;
      throw error;
    }
    return call.parse(response.text, response.headers);
  }

  private async send<T>(credentials: PartnerCenterCredentials, call: ApiCall<T>, ids: CallIds) {
    const accessToken = await this.tokens.accessToken(credentials, call.auth, ids);
    return this.transport.send({
      method: call.method,
      url: new URL(call.path, credentials.apiBaseUrl).toString(),
      // MS-RequestId: the same on every try of this operation ("If there's a timeout, the retry call should include
      // the same value"); MS-CorrelationId: "reset for every call", so the transport makes one per try.
      headers: {
        Authorization: `Bearer ${accessToken}`,
        Accept: 'application/json',
        'MS-RequestId': ids.requestId,
        [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION,
        ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...call.headers,
      },
      correlate: true,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      operation: call.operation,
      requestId: ids.requestId,
    });
  }
}
