import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { errorFromResponse } from './partner-center.errors';
import {
  PARTNER_CENTER_CLIENT_OPTIONS,
  resolveClientOptions,
  type PartnerCenterClientOptions,
} from './partner-center.options';
import {
  AGREEMENT_ALREADY_EXISTS,
  CONTINUATION_HEADER,
  createAgreementBody,
  enhancedAttestationBody,
  parseAgreementMetadata,
  parseCreatedAgreement,
  parseCustomerAgreements,
  parseCustomerPage,
  parseDirectAcceptance,
  parseEnhancedAttestation,
  pcPaths,
  USER_SCOPE,
} from './partner-center.shapes';
import { parseRetryAfterMs, PartnerCenterTransport } from './partner-center.transport';
import {
  PartnerCenterError,
  type ConnectedUser,
  type CustomerAgreement,
  type CustomerPage,
  type EnhancedAttestation,
  type EnhancedAttestationRequest,
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
  parse: (text: string) => T;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

// Speaks Partner Center's REST contract (the same against Microsoft and against the sandbox; only the URLs in
// the credentials differ). Each public method is one logical operation with its own MS-RequestId.
@Injectable()
export class PartnerCenterClient implements PartnerCenterApi {
  private readonly transport: PartnerCenterTransport;
  private readonly tokens: TokenCache;

  constructor(@Optional() @Inject(PARTNER_CENTER_CLIENT_OPTIONS) options?: Partial<PartnerCenterClientOptions>) {
    const resolved = resolveClientOptions(options);
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

  getMcaAgreementMetadata(credentials: PartnerCenterCredentials): Promise<McaAgreementMetadata> {
    return this.call(credentials, {
      auth: 'app',
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

  listCustomerAgreements(
    credentials: PartnerCenterCredentials,
    customerTenantId: string,
  ): Promise<CustomerAgreement[]> {
    return this.call(credentials, {
      auth: 'app',
      method: 'GET',
      path: pcPaths.customerAgreements(customerTenantId),
      operation: "reading the customer's agreements",
      parse: parseCustomerAgreements,
    });
  }

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
      parse: parseEnhancedAttestation,
    });
  }

  getEnhancedAttestation(credentials: PartnerCenterCredentials, attestationId: string): Promise<EnhancedAttestation> {
    return this.call(credentials, {
      auth: 'app',
      method: 'GET',
      path: pcPaths.enhancedAttestation(attestationId),
      operation: 'reading the attestation',
      parse: parseEnhancedAttestation,
    });
  }

  // Finalizing twice is not an error: "already exists" (600061) means an earlier finalize went through, so the
  // agreement is read back instead.
  async createAgreementFromAttestation(
    credentials: PartnerCenterCredentials,
    customerTenantId: string,
    attestationId: string,
    requestId?: string,
  ): Promise<CustomerAgreement> {
    try {
      return await this.call(credentials, {
        auth: 'app',
        method: 'POST',
        path: pcPaths.createAgreement(customerTenantId),
        body: createAgreementBody(attestationId),
        operation: 'finalizing the attestation',
        requestId,
        parse: parseCreatedAgreement,
      });
    } catch (error) {
      if (!(error instanceof PartnerCenterError) || error.details.code !== AGREEMENT_ALREADY_EXISTS) throw error;
      const agreements = await this.listCustomerAgreements(credentials, customerTenantId);
      const latest = agreements.reduce<CustomerAgreement | null>(
        (best, item) => (!best || (item.dateAgreed?.getTime() ?? 0) > (best.dateAgreed?.getTime() ?? 0) ? item : best),
        null,
      );
      if (!latest)
        throw new PartnerCenterError(
          'invalid_response',
          'Partner Center says the agreement already exists but lists none for this customer; try again later',
          error.details,
        );
      return latest;
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
    return { requestId: requestId ?? randomUUID(), correlationId: randomUUID() };
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
      });
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), Date.now());
      if (retryAfterMs !== null) error.details.retryAfterMs = retryAfterMs;
      throw error;
    }
    return call.parse(response.text);
  }

  private async send<T>(credentials: PartnerCenterCredentials, call: ApiCall<T>, ids: CallIds) {
    const accessToken = await this.tokens.accessToken(credentials, call.auth, ids);
    return this.transport.send({
      method: call.method,
      url: new URL(call.path, credentials.apiBaseUrl).toString(),
      headers: {
        Authorization: `Bearer ${accessToken}`,
        Accept: 'application/json',
        'MS-RequestId': ids.requestId,
        'MS-CorrelationId': ids.correlationId,
        ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...call.headers,
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      operation: call.operation,
      requestId: ids.requestId,
    });
  }
}
