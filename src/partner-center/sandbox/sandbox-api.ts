import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameContact } from '../../common/contact';
import {
  AGREEMENT_ATTESTATION_ID_FIELD,
  SIGNATORY_EMAIL_FIELD,
  SIGNATORY_PHONE_FIELD,
} from '../partner-center.assumed';
import {
  AGREEMENT_ALREADY_EXISTS,
  CONTINUATION_HEADER,
  MCA_AGREEMENT_TYPE,
  type WireAgreementMetadata,
  type WireCollection,
  type WireCustomer,
  type WireCustomerAgreement,
  type WireEnhancedAttestation,
} from '../partner-center.shapes';
import type { IssuedToken } from './sandbox-authority';
import { errorBody, readJson, SandboxHttpError, sendJson } from './sandbox-http';
import { MCA_LINK, MCA_TEMPLATE_ID } from './sandbox-seed';
import type { SandboxAgreement, SandboxCustomer } from './sandbox-seed';
import type { SandboxAttestation, SandboxAttestationStatus, SandboxState } from './sandbox-state';

// The sandbox's Partner Center REST API (/v1/...), answering with the client's wire shapes, and refusing what
// Microsoft documents as refused: an app-only token where "this scenario only supports App+User authentication" (a
// customer's agreements, the agreement metadata, direct acceptance), a user's token on the enhanced attestation
// ("only supports AppOnly authentication"), and a second partner-confirmed agreement with the same contact details.

const fail = (status: number, message: string, code?: number, errorName?: string) =>
  new SandboxHttpError(status, errorBody(status, message, code, errorName));
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_PAGE = 500;

function collection<T>(items: T[], extra: Partial<WireCollection<T>> = {}): WireCollection<T> {
  return { totalCount: items.length, items, attributes: { objectType: 'Collection' }, ...extra };
}

function wireCustomer(customer: SandboxCustomer): WireCustomer {
  return {
    id: customer.id,
    companyProfile: { tenantId: customer.id, domain: customer.domain, companyName: customer.companyName },
    relationshipToPartner: 'reseller',
    attributes: { objectType: 'Customer' },
  };
}

function wireAgreement(agreement: SandboxAgreement): WireCustomerAgreement {
  return {
    ...(agreement.userId ? { userId: agreement.userId } : {}),
    primaryContact: agreement.primaryContact,
    templateId: agreement.templateId,
    dateAgreed: agreement.dateAgreed,
    type: MCA_AGREEMENT_TYPE,
    agreementLink: MCA_LINK,
  };
}

function requireUser(token: IssuedToken): void {
  if (token.kind !== 'user')
    throw fail(
      403,
      'This operation requires App+User authentication: sign in as a partner user.',
      600014,
      'AppPlusUserRequired',
    );
}

function requireApp(token: IssuedToken): void {
  if (token.kind !== 'app')
    throw fail(403, 'This operation supports App-only authentication.', 600015, 'AppOnlyRequired');
}

function text(body: Record<string, unknown>, field: string, required: boolean, max = 200): string | null {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw fail(400, `The field ${field} is required.`, 600031, 'InvalidInput');
    return null;
  }
  if (typeof value !== 'string' || value.length > max)
    throw fail(400, `The field ${field} is not valid.`, 600031, 'InvalidInput');
  return value;
}

export class SandboxApi {
  // Partner Center uses MS-RequestId for idempotency: a retried create answers with what the first one made.
  private readonly createdByRequestId = new Map<string, string>();

  constructor(
    private readonly state: SandboxState,
    private readonly linkExpiryMinutes: number,
    private readonly now: () => number,
  ) {}

  attestationStatus(attestation: SandboxAttestation): SandboxAttestationStatus {
    if (attestation.acceptedAt) return 'accepted';
    return Date.parse(attestation.expiresAt) <= this.now() ? 'expired' : 'pending';
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, token: IssuedToken): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let match: RegExpExecArray | null;
    if (method === 'GET' && path === '/v1/customers') return sendJson(res, 200, this.customers(url, req));
    if (method === 'GET' && path === '/v1/agreements') {
      requireUser(token);
      return sendJson(res, 200, this.agreementMetadata(url));
    }
    if (
      (match = /^\/v1\/customers\/([^/]+)\/directSignedMicrosoftCustomerAgreementStatus$/.exec(path)) &&
      method === 'GET'
    ) {
      requireUser(token);
      return sendJson(res, 200, { isSigned: this.customer(decodeURIComponent(match[1])).directlySigned });
    }
    if ((match = /^\/v1\/customers\/([^/]+)\/agreements$/.exec(path))) {
      const customer = this.customer(decodeURIComponent(match[1]));
      if (method === 'GET') {
        requireUser(token);
        return sendJson(res, 200, this.agreements(customer, url));
      }
      if (method === 'POST') {
        requireApp(token);
        return sendJson(res, 201, this.createAgreement(customer, await readJson(req), req));
      }
    }
    if (method === 'POST' && path === '/v1/attestations/enhanced') {
      requireApp(token);
      return sendJson(res, 201, this.createAttestation(await readJson(req), req));
    }
    if ((match = /^\/v1\/attestations\/enhanced\/([^/]+)$/.exec(path)) && method === 'GET') {
      requireApp(token);
      const attestation = this.state.attestation(decodeURIComponent(match[1]));
      if (!attestation) throw fail(404, 'The attestation was not found.', 600070, 'AttestationNotFound');
      return sendJson(res, 200, this.wireAttestation(attestation));
    }
    throw fail(404, `No such Partner Center resource: ${method} ${path}`);
  }

  wireAttestation(attestation: SandboxAttestation): WireEnhancedAttestation {
    const status = this.attestationStatus(attestation);
    return {
      id: attestation.id,
      status: status === 'accepted' ? 'Accepted' : status === 'expired' ? 'Expired' : 'Pending',
      createdDateTime: attestation.createdAt,
      expirationDateTime: attestation.expiresAt,
      acceptedDateTime: attestation.acceptedAt,
    };
  }

  private customer(id: string): SandboxCustomer {
    const customer = this.state.customer(id);
    if (!customer)
      throw fail(
        404,
        'The customer was not found or has no reseller relationship with the partner.',
        600008,
        'CustomerNotFound',
      );
    return customer;
  }

  private customers(url: URL, req: IncomingMessage): WireCollection<WireCustomer> {
    const size = Math.min(MAX_PAGE, Math.max(1, Number(url.searchParams.get('size')) || MAX_PAGE));
    let offset = 0;
    if (url.searchParams.get('seekOperation') === 'Next') {
      const token = req.headers[CONTINUATION_HEADER.toLowerCase()];
      const decoded =
        typeof token === 'string' ? /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8')) : null;
      if (!decoded)
        throw fail(400, 'The continuation token is missing or not valid.', 600035, 'InvalidContinuationToken');
      offset = Number(decoded[1]);
    }
    const all = this.state.customers();
    const items = all.slice(offset, offset + size).map(wireCustomer);
    const self = { uri: `/customers?size=${size}`, method: 'GET', headers: [] };
    if (offset + size >= all.length) return collection(items, { links: { self } });
    const continuationToken = Buffer.from(`offset:${offset + size}`).toString('base64url');
    const next = {
      uri: `/customers?size=${size}&seekOperation=Next`,
      method: 'GET',
      headers: [{ key: CONTINUATION_HEADER, value: continuationToken }],
    };
    return collection(items, { links: { self, next }, continuationToken });
  }

  // Like Microsoft: without agreementType the answer is about the Microsoft Cloud Agreement, of which the sandbox's
  // customers have none; '*' is every type.
  private agreements(customer: SandboxCustomer, url: URL): WireCollection<WireCustomerAgreement> {
    const type = url.searchParams.get('agreementType');
    const items = type === MCA_AGREEMENT_TYPE || type === '*' ? customer.agreements.map(wireAgreement) : [];
    return collection(items);
  }

  // Without the agreementType parameter Partner Center answers for the old Cloud Agreement.
  private agreementMetadata(url: URL): WireCollection<WireAgreementMetadata> {
    if (url.searchParams.get('agreementType') === MCA_AGREEMENT_TYPE) {
      return collection([
        { templateId: MCA_TEMPLATE_ID, agreementType: MCA_AGREEMENT_TYPE, agreementLink: MCA_LINK, versionRank: 0 },
      ]);
    }
    return collection([
      {
        templateId: '998b88de-aa99-4388-a42c-1b3517d49490',
        agreementType: 'MicrosoftCloudAgreement',
        agreementLink: 'https://aka.ms/microsoftcloudagreement',
        versionRank: 0,
      },
    ]);
  }

  private repeated(req: IncomingMessage, kind: string): string | null {
    const requestId = req.headers['ms-requestid'];
    return typeof requestId === 'string' ? (this.createdByRequestId.get(`${kind}:${requestId}`) ?? null) : null;
  }

  private remember(req: IncomingMessage, kind: string, id: string): void {
    const requestId = req.headers['ms-requestid'];
    if (typeof requestId === 'string') this.createdByRequestId.set(`${kind}:${requestId}`, id);
  }

  // The documented create fields, each required but the phone; a customer id is no part of them.
  private createAttestation(body: Record<string, unknown>, req: IncomingMessage): WireEnhancedAttestation {
    const earlier = this.repeated(req, 'attestation');
    if (earlier) return this.wireAttestation(this.state.attestation(earlier) as SandboxAttestation);
    const attestation: SandboxAttestation = {
      id: randomUUID(),
      customerTenantId: null,
      signatoryFirstName: text(body, 'signatoryFirstName', true) as string,
      signatoryLastName: text(body, 'signatoryLastName', true) as string,
      signatoryEmail: text(body, SIGNATORY_EMAIL_FIELD, true, 320) as string,
      signatoryPhoneNumber: text(body, SIGNATORY_PHONE_FIELD, false, 50),
      companyName: text(body, 'companyName', true, 500) as string,
      country: text(body, 'country', true, 2) as string,
      language: text(body, 'language', true, 10) as string,
      createdAt: new Date(this.now()).toISOString(),
      expiresAt: new Date(this.now() + this.linkExpiryMinutes * 60_000).toISOString(),
      acceptedAt: null,
    };
    if (!EMAIL.test(attestation.signatoryEmail))
      throw fail(400, 'The signatory email address is not well-formed.', 600032, 'InvalidSignatoryEmail');
    if (!/^[A-Za-z]{2}$/.test(attestation.country))
      throw fail(400, 'The country must be an ISO 3166-1 alpha-2 code.', 600031, 'InvalidInput');
    this.state.addAttestation(attestation);
    this.remember(req, 'attestation', attestation.id);
    return this.wireAttestation(attestation);
  }

  // The create-agreement call with an accepted attestation. Partner Center refuses a second partner-confirmed
  // agreement whose first name, last name, email and phone all equal an existing one's (600061); a retry of the same
  // operation (its MS-RequestId) answers with the agreement it made.
  private createAgreement(
    customer: SandboxCustomer,
    body: Record<string, unknown>,
    req: IncomingMessage,
  ): WireCustomerAgreement {
    const attestationId = text(body, AGREEMENT_ATTESTATION_ID_FIELD, true, 200) as string;
    const earlier = this.repeated(req, 'agreement');
    const made = earlier ? customer.agreements.find((agreement) => agreement.attestationId === earlier) : undefined;
    if (made) return wireAgreement(made);
    const attestation = this.state.attestation(attestationId);
    if (!attestation || (attestation.customerTenantId !== null && attestation.customerTenantId !== customer.id))
      throw fail(400, 'The attestation was not found for this customer.', 600070, 'AttestationNotFound');
    if (this.attestationStatus(attestation) !== 'accepted')
      throw fail(
        400,
        'The customer has not accepted the agreement through the attestation link yet.',
        600071,
        'AttestationNotAccepted',
      );
    const primaryContact = {
      firstName: attestation.signatoryFirstName,
      lastName: attestation.signatoryLastName,
      email: attestation.signatoryEmail,
      ...(attestation.signatoryPhoneNumber ? { phoneNumber: attestation.signatoryPhoneNumber } : {}),
    };
    if (
      customer.agreements.some(
        (agreement) => agreement.primaryContact && sameContact(agreement.primaryContact, primaryContact),
      )
    )
      throw fail(
        400,
        'A partner confirmed agreement already exists for the customer.',
        AGREEMENT_ALREADY_EXISTS,
        'PartnerConfirmedAgreementAlreadyExists',
      );
    const agreement: SandboxAgreement = {
      templateId: MCA_TEMPLATE_ID,
      dateAgreed: attestation.acceptedAt as string,
      primaryContact,
      userId: null,
      attestationId,
    };
    this.state.bindAttestation(attestationId, customer.id);
    this.state.addAgreement(customer.id, agreement);
    this.remember(req, 'agreement', attestationId);
    return wireAgreement(agreement);
  }
}
