import { randomUUID } from 'node:crypto';
import { componentUrl } from '../../src/partner-center/partner-center.assumed';
import {
  CONTACT_ALREADY_USED,
  PartnerCenterClient,
  WHO_MAY_ATTEST,
} from '../../src/partner-center/partner-center.client';
import type { RetryEvent } from '../../src/partner-center/partner-center.options';
import {
  PartnerCenterError,
  type EnhancedAttestation,
  type EnhancedAttestationRequest,
  type PartnerCenterCredentials,
} from '../../src/partner-center/partner-center.types';
import {
  PartnerCenterSandbox,
  sandboxComponentTemplate,
} from '../../src/partner-center/sandbox/partner-center-sandbox';
import { FakeClock, recordingClient, startSandbox, type StandaloneSandbox } from '../support/sandbox';

// The client over real HTTP against the sandbox, which answers as Partner Center and Entra ID would.

async function failure(promise: Promise<unknown>): Promise<PartnerCenterError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof PartnerCenterError)) throw new Error(`Expected a PartnerCenterError, got ${String(error)}`);
  return error;
}

function attestationRequest(overrides: Partial<EnhancedAttestationRequest> = {}): EnhancedAttestationRequest {
  return {
    signatoryFirstName: 'Dana',
    signatoryLastName: 'Whitfield',
    signatoryEmail: 'dana.whitfield@example.com',
    companyName: 'Fourth Coffee',
    country: 'US',
    language: 'en-US',
    ...overrides,
  };
}

describe(PartnerCenterClient.name, () => {
  let pc: StandaloneSandbox;
  let sandbox: PartnerCenterSandbox;
  let credentials: PartnerCenterCredentials; // the app alone
  let userCredentials: PartnerCenterCredentials; // App+User: a partner user signed in
  const clock = new FakeClock();

  beforeAll(async () => {
    pc = await startSandbox({ now: clock.now, tokenTtlSeconds: 3_600 });
    sandbox = pc.sandbox;
    credentials = pc.credentials();
    userCredentials = pc.credentials(sandbox.signInPartnerUser().refreshToken);
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => {
    sandbox.faults.clear();
    sandbox.clearRequests();
  });

  const tokenCalls = () => sandbox.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length;
  const apiCalls = () => sandbox.requests.filter((r) => r.path.startsWith('/v1/'));
  const firstCustomer = () =>
    sandbox.customers().find((c) => !c.directlySigned && c.agreements.length === 0) as ReturnType<
      PartnerCenterSandbox['customers']
    >[number];

  describe('customers and agreements', () => {
    it('should page through every seeded customer with small pages and continuation tokens', async () => {
      const { client } = recordingClient();
      const seen: string[] = [];
      let continuationToken: string | null = null;
      let pages = 0;
      do {
        const page = await client.listCustomers(credentials, { pageSize: 7, continuationToken });
        seen.push(...page.items.map((c) => c.tenantId));
        continuationToken = page.continuationToken;
        pages++;
      } while (continuationToken);
      const all = sandbox.customers();
      expect(all.length).toBeGreaterThanOrEqual(40);
      expect(pages).toBe(Math.ceil(all.length / 7));
      expect(new Set(seen).size).toBe(all.length);
      expect(seen).toEqual(all.map((c) => c.id));
      expect(apiCalls().filter((r) => r.path.includes('seekOperation=Next'))).toHaveLength(pages - 1);
    });

    it('should ask for the MCA template explicitly and read its link', async () => {
      const { client } = recordingClient();
      await expect(client.getMcaAgreementMetadata(userCredentials)).resolves.toEqual({
        templateId: '117a77b0-9360-443b-8795-c6dedc750cf9',
        agreementLink: 'https://aka.ms/customeragreement',
      });
      expect(apiCalls()[0].path).toBe('/v1/agreements?agreementType=MicrosoftCustomerAgreement');
    });

    it("should read a customer's partner-confirmed agreements as a signed-in user, and only so", async () => {
      const attested = sandbox.customers().find((c) => c.companyName === 'Humongous Insurance') as { id: string };
      const { client } = recordingClient();
      const { items } = await client.listCustomerAgreements(userCredentials, attested.id);
      expect(items).toEqual([
        {
          templateId: '117a77b0-9360-443b-8795-c6dedc750cf9',
          dateAgreed: new Date('2025-03-01T00:00:00Z'),
          primaryContact: {
            firstName: 'Dana',
            lastName: 'Fuller',
            email: 'dana.fuller@humongousinsurance.onmicrosoft.com',
          },
          agreementLink: 'https://aka.ms/customeragreement',
          userId: '3d6f2c09-eb40-48ca-a4b3-d24c9c007531',
        },
      ]);
      expect(apiCalls()[0].path).toBe(
        `/v1/customers/${attested.id}/agreements?agreementType=MicrosoftCustomerAgreement`,
      );
      // Without a signed-in user the client does not even ask (the sandbox's refusal: partner-center-sandbox.e2e-spec).
      const appOnly = await failure(client.listCustomerAgreements(credentials, attested.id));
      expect(appOnly.kind).toBe('auth');
    });

    it('should list no direct acceptance among the agreements: Partner Center reports it on its own', async () => {
      const direct = sandbox.customers().find((c) => c.directlySigned && c.agreements.length === 0) as { id: string };
      const { client } = recordingClient();
      await expect(client.listCustomerAgreements(userCredentials, direct.id)).resolves.toEqual({
        items: [],
        oddities: [],
      });
      await expect(client.getDirectAcceptance(userCredentials, direct.id)).resolves.toBe(true);
    });

    it('should keep HTML in company names as plain data', async () => {
      const added = sandbox.addCustomer({ companyName: '<img src=x onerror=alert(1)> & Co', domain: 'html.example' });
      try {
        const { client } = recordingClient();
        const page = await client.listCustomers(credentials, { pageSize: 500 });
        expect(page.items.find((c) => c.tenantId === added.id)).toEqual({
          tenantId: added.id,
          companyName: '<img src=x onerror=alert(1)> & Co',
          domain: 'html.example',
        });
      } finally {
        sandbox.removeCustomer(added.id);
      }
    });
  });

  describe('tokens', () => {
    it('should send MS-Contract-Version v1, a new MS-RequestId per operation and a new MS-CorrelationId per call', async () => {
      const { client } = recordingClient();
      sandbox.faults.add({ path: '/v1/agreements', status: 503, times: 1 });
      await client.getMcaAgreementMetadata(userCredentials);
      await client.getMcaAgreementMetadata(userCredentials);
      const [first, retry, second] = apiCalls();
      for (const call of [first, retry, second]) {
        expect(call.contractVersion).toBe('v1');
        expect(call.requestId).toMatch(/^[0-9a-f-]{36}$/);
        expect(call.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      }
      // Microsoft: the request id is kept when a call is retried ("the retry call should include the same value"),
      // the correlation id is "reset for every call".
      expect(retry.requestId).toBe(first.requestId);
      expect(retry.correlationId).not.toBe(first.correlationId);
      expect(second.requestId).not.toBe(first.requestId);
      expect(new Set([first, retry, second].map((call) => call.correlationId)).size).toBe(3);
    });

    it('should use one token for many calls, also when they run at the same time', async () => {
      const { client } = recordingClient();
      await Promise.all([
        client.listCustomers(credentials, { pageSize: 1 }),
        client.listCustomers(credentials, { pageSize: 5 }),
        client.listCustomers(credentials, { pageSize: 2 }),
      ]);
      await client.listCustomers(credentials, { pageSize: 5 });
      expect(tokenCalls()).toBe(1);
      expect(apiCalls()).toHaveLength(4);
    });

    it('should get a new token when the cached one is about to expire', async () => {
      const { client } = recordingClient({ now: clock.now });
      await client.getMcaAgreementMetadata(userCredentials);
      clock.advance(3_599_000);
      await client.getMcaAgreementMetadata(userCredentials);
      expect(tokenCalls()).toBe(2);
      expect(sandbox.requests.filter((r) => r.path.startsWith('/v1/')).length).toBe(2);
    });

    it('should drop a token Partner Center refuses, get a new one once, and retry', async () => {
      const { client } = recordingClient();
      await client.getMcaAgreementMetadata(userCredentials);
      sandbox.expireTokens();
      await expect(client.getMcaAgreementMetadata(userCredentials)).resolves.toBeDefined();
      expect(tokenCalls()).toBe(2);
      const calls = apiCalls();
      expect(calls).toHaveLength(3);
      expect(calls[2].requestId).toBe(calls[1].requestId);
    });

    it('should give up with an auth error when even a new token is refused', async () => {
      const { client } = recordingClient();
      sandbox.faults.add({ path: '/v1/agreements', status: 401, times: 2 });
      const error = await failure(client.getMcaAgreementMetadata(userCredentials));
      expect(error.kind).toBe('auth');
      expect(error.message).toContain('Partner Center settings');
    });

    it('should name the settings to fix when the app secret is wrong', async () => {
      const { client } = recordingClient();
      const error = await failure(client.listCustomers({ ...credentials, appSecret: 'wrong' }));
      expect(error.kind).toBe('auth');
      expect(error.message).toMatch(
        /^Partner Center refused the app credentials: check the tenant id, app id and secret in Partner Center settings/,
      );
      expect(error.message).toContain('AADSTS7000215');
    });
  });

  describe('retries', () => {
    it('should wait as Retry-After says on 429 and then succeed, reusing the MS-RequestId', async () => {
      const { client, waits } = recordingClient({ retryMaxWaitMs: 5_000 });
      sandbox.faults.add({ path: '/v1/customers', status: 429, retryAfterSeconds: 2, times: 2 });
      const page = await client.listCustomers(credentials, { pageSize: 3 });
      expect(page.items).toHaveLength(3);
      expect(waits).toEqual([2_000, 2_000]);
      const calls = apiCalls();
      expect(calls).toHaveLength(3);
      expect(new Set(calls.map((c) => c.requestId)).size).toBe(1);
    });

    it("should hold back the other calls until a 429's Retry-After has passed", async () => {
      const { client, waits } = recordingClient({ maxAttempts: 1, retryMaxWaitMs: 5_000 });
      sandbox.faults.add({ path: '/v1/customers', status: 429, retryAfterSeconds: 3, times: 1 });
      await expect(failure(client.listCustomers(credentials))).resolves.toMatchObject({ kind: 'rate_limited' });
      expect(waits).toEqual([]);
      await client.listCustomers(credentials, { pageSize: 1 });
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(2_000);
      expect(waits[0]).toBeLessThanOrEqual(3_000);
    });

    it('should report rate limiting after the last attempt', async () => {
      const { client, waits } = recordingClient({ maxAttempts: 4, retryMaxWaitMs: 1_000 });
      sandbox.faults.add({ path: '/v1/customers', status: 429, retryAfterSeconds: 57, times: Infinity });
      const error = await failure(client.listCustomers(credentials));
      expect(error.kind).toBe('rate_limited');
      expect(error.message).toBe('Partner Center is rate-limiting requests; tried 4 times; try again in a few minutes');
      expect(waits).toEqual([1_000, 1_000, 1_000]);
    });

    it('should back off exponentially on 5xx until the attempts run out, then say so', async () => {
      const events: RetryEvent[] = [];
      const { client, waits } = recordingClient({
        maxAttempts: 3,
        retryBaseMs: 100,
        random: () => 1,
        onRetry: (event) => events.push(event),
      });
      sandbox.faults.add({ path: '/v1/agreements', status: 503, times: Infinity });
      const error = await failure(client.getMcaAgreementMetadata(userCredentials));
      expect(events.map((e) => [e.reason, e.attempt, e.waitMs])).toEqual([
        ['HTTP 503', 1, 100],
        ['HTTP 503', 2, 200],
      ]);
      expect(error.kind).toBe('unavailable');
      expect(error.details.status).toBe(503);
      expect(error.message).toContain('tried 3 times');
      expect(waits).toEqual([100, 200]);
      expect(apiCalls()).toHaveLength(3);
    });

    it('should succeed when a 500 passes before the attempts run out', async () => {
      const { client } = recordingClient();
      sandbox.faults.add({ path: '/v1/agreements', status: 500, times: 3 });
      await expect(client.getMcaAgreementMetadata(userCredentials)).resolves.toBeDefined();
      expect(apiCalls()).toHaveLength(4);
    });

    it('should time out a slow answer', async () => {
      const { client } = recordingClient({ timeoutMs: 200 });
      sandbox.faults.add({ path: '/v1/agreements', delayMs: 5_000 });
      const error = await failure(client.getMcaAgreementMetadata(userCredentials));
      expect(error.kind).toBe('timeout');
      expect(error.message).toContain('did not answer within 1 second');
    });

    it('should report an unreachable Partner Center as unavailable', async () => {
      const { client } = recordingClient({ maxAttempts: 2 });
      const closed = await startSandbox();
      const url = closed.sandbox.baseUrl;
      await closed.sandbox.stop();
      const error = await failure(client.listCustomers({ ...credentials, authorityUrl: url, apiBaseUrl: url }));
      expect(error.kind).toBe('unavailable');
      expect(error.message).toContain('Could not reach Partner Center');
    });
  });

  describe('untrusted answers', () => {
    it.each([
      ['malformed JSON', '{"items": [', /not valid JSON/],
      ['a missing list', '{"totalCount": 1}', /"items" is not a list/],
      ['an HTML page', '<html><body>Service</body></html>', /not valid JSON/],
    ])('should turn %s into invalid_response', async (_name, body, message) => {
      const { client } = recordingClient();
      sandbox.faults.add({ path: '/v1/customers', status: 200, body });
      const error = await failure(client.listCustomers(credentials));
      expect(error.kind).toBe('invalid_response');
      expect(error.message).toMatch(message);
    });

    it("should keep a customer with odd data, naming what was mended, rather than refuse everyone's", async () => {
      const { client } = recordingClient();
      const items = [
        { id: 'x', companyProfile: { domain: 'x.example' } },
        { id: 42, companyProfile: { companyName: 'X', domain: 'x' } },
      ];
      sandbox.faults.add({ path: '/v1/customers', status: 200, body: JSON.stringify({ items }) });
      expect((await client.listCustomers(credentials)).items).toEqual([
        { tenantId: 'x', companyName: '', domain: 'x.example', oddities: ['no companyName'] },
        { tenantId: '', companyName: 'X', domain: 'x', oddities: ['no usable id'] },
      ]);
    });

    it('should refuse a huge answer without reading it all', async () => {
      const { client } = recordingClient({ maxBodyBytes: 1024 * 1024 });
      sandbox.faults.add({ path: '/v1/customers', status: 200, body: `{"items":[${'{"id":"x"},'.repeat(200_000)}]}` });
      const error = await failure(client.listCustomers(credentials));
      expect(error.kind).toBe('invalid_response');
      expect(error.message).toContain('larger than 1 MB');
    });

    it('should refuse an acceptance link that is not a web link', async () => {
      const { client } = recordingClient();
      const body = {
        id: 'a',
        status: 'Pending',
        acceptanceLink: 'javascript:alert(1)',
        expirationDateTime: null,
        acceptedDateTime: null,
      };
      sandbox.faults.add({ path: '/v1/attestations/enhanced/a', status: 200, body: JSON.stringify(body) });
      await expect(failure(client.getEnhancedAttestation(credentials, 'a'))).resolves.toMatchObject({
        kind: 'invalid_response',
      });
    });
  });

  describe('enhanced attestation', () => {
    const componentOf = (id: string) => componentUrl(sandboxComponentTemplate(sandbox.baseUrl), id, 'en-US');
    const finalizeRequest = (customerTenantId: string, created: EnhancedAttestation, createdAt: Date) => ({
      customerTenantId,
      attestationId: created.id,
      signatory: { firstName: 'Dana', lastName: 'Whitfield', email: 'dana.whitfield@example.com' },
      createdAt,
      acceptedAt: null,
      templateId: '117a77b0-9360-443b-8795-c6dedc750cf9',
    });
    const accept = async (id: string) => {
      const accepted = await fetch(componentOf(id), { method: 'POST', redirect: 'manual' });
      expect(accepted.status).toBe(303);
    };

    it("should reject a malformed signatory email with Partner Center's message", async () => {
      const { client } = recordingClient();
      const error = await failure(
        client.createEnhancedAttestation(credentials, attestationRequest({ signatoryEmail: 'dana@@example' })),
      );
      expect(error.kind).toBe('rejected');
      expect(error.message).toBe(
        'Partner Center rejected creating the attestation: The signatory email address is not well-formed. (code 600032)',
      );
      expect(error.details).toMatchObject({ status: 400, code: 600032, errorName: 'InvalidSignatoryEmail' });
    });

    it('should create, let the customer accept on the component, and finalize once even when asked twice', async () => {
      const { client } = recordingClient();
      const customer = firstCustomer();
      const createdAt = new Date(clock.now());
      const created = await client.createEnhancedAttestation(credentials, attestationRequest());
      expect(created).toMatchObject({ status: 'pending', componentUrl: null });
      expect(created.expiresAt?.getTime()).toBe(clock.now() + 7 * 24 * 3_600_000);

      const notYet = await failure(
        client.createAgreementFromAttestation(userCredentials, finalizeRequest(customer.id, created, createdAt)),
      );
      expect(notYet.kind).toBe('rejected');

      const page = await fetch(componentOf(created.id));
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain('Accept the Microsoft Customer Agreement');
      expect(html).toContain('Dana Whitfield');
      await accept(created.id);
      expect(await (await fetch(componentOf(created.id))).text()).toContain('Accepted on');

      const read = await client.getEnhancedAttestation(credentials, created.id);
      expect(read).toMatchObject({ id: created.id, status: 'accepted' });
      expect(read.acceptedAt?.getTime()).toBe(clock.now());

      const request = { ...finalizeRequest(customer.id, created, createdAt), acceptedAt: read.acceptedAt };
      const agreement = await client.createAgreementFromAttestation(userCredentials, request, 'finalize-1');
      expect(agreement.primaryContact).toEqual({
        firstName: 'Dana',
        lastName: 'Whitfield',
        email: 'dana.whitfield@example.com',
      });
      expect(agreement.dateAgreed?.getTime()).toBe(clock.now());

      // The same operation again (its MS-RequestId) answers with what it made.
      sandbox.clearRequests();
      await expect(client.createAgreementFromAttestation(userCredentials, request, 'finalize-1')).resolves.toEqual(
        agreement,
      );
      expect(apiCalls().map((c) => c.method)).toEqual(['POST']);

      // A new operation whose first answer was lost meets 600061: the agreement with this signatory, made since
      // the attestation, is this one's, so the finalize went through.
      sandbox.clearRequests();
      await expect(client.createAgreementFromAttestation(userCredentials, request)).resolves.toEqual(agreement);
      expect(apiCalls().map((c) => c.method)).toEqual(['POST', 'GET']);
    });

    it("should fail with Microsoft's meaning when 600061 is about another attestation's agreement", async () => {
      const { client } = recordingClient();
      const customer = sandbox.customers().find((c) => c.companyName === 'Humongous Insurance') as { id: string };
      // The contact details of the agreement made outside the app, on 1 March 2025.
      const dana = {
        signatoryFirstName: 'Dana',
        signatoryLastName: 'Fuller',
        signatoryEmail: 'dana.fuller@humongousinsurance.onmicrosoft.com',
      };
      const createdAt = new Date(clock.now());
      const created = await client.createEnhancedAttestation(credentials, attestationRequest(dana));
      await accept(created.id);
      const request = {
        ...finalizeRequest(customer.id, created, createdAt),
        signatory: { firstName: 'Dana', lastName: 'Fuller', email: 'dana.fuller@humongousinsurance.onmicrosoft.com' },
      };
      const error = await failure(client.createAgreementFromAttestation(userCredentials, request));
      expect(error).toMatchObject({ kind: 'rejected', message: CONTACT_ALREADY_USED, details: { code: 600061 } });

      // Another phone number is another set of contact details: Microsoft takes it.
      const other = await client.createEnhancedAttestation(
        credentials,
        attestationRequest({ ...dana, signatoryPhoneNumber: '+1 425 555 0100' }),
      );
      await accept(other.id);
      const made = await client.createAgreementFromAttestation(userCredentials, {
        ...request,
        attestationId: other.id,
        signatory: { ...request.signatory, phoneNumber: '+1 425 555 0100' },
      });
      expect(made.primaryContact?.phoneNumber).toBe('+1 425 555 0100');
    });

    it('should return the same attestation when a create is retried with the same MS-RequestId', async () => {
      const { client } = recordingClient();
      const requestId = randomUUID();
      sandbox.faults.add({ path: '/v1/attestations/enhanced', method: 'POST', status: 502 });
      const first = await client.createEnhancedAttestation(credentials, attestationRequest(), requestId);
      const second = await client.createEnhancedAttestation(credentials, attestationRequest(), requestId);
      expect(second.id).toBe(first.id);
      expect(apiCalls().map((c) => c.requestId)).toEqual([requestId, requestId, requestId]);
    });

    it('should say who may attest when Partner Center refuses an attestation call (403)', async () => {
      const { client } = recordingClient();
      sandbox.faults.add({ path: '/v1/attestations/enhanced', method: 'POST', status: 403 });
      const error = await failure(client.createEnhancedAttestation(credentials, attestationRequest()));
      expect(error.kind).toBe('forbidden');
      expect(error.message).toContain(WHO_MAY_ATTEST);
      expect(error.message).toContain('Admin agent or Sales agent');
    });

    it('should keep the attestation id Microsoft returned when the rest of its answer cannot be read', async () => {
      const { client } = recordingClient();
      sandbox.faults.add({
        path: '/v1/attestations/enhanced',
        method: 'POST',
        status: 201,
        body: '{"id":"pc-77","status":7',
      });
      await expect(failure(client.createEnhancedAttestation(credentials, attestationRequest()))).resolves.toMatchObject(
        {
          kind: 'invalid_response',
        },
      );
      sandbox.faults.add({
        path: '/v1/attestations/enhanced',
        method: 'POST',
        status: 201,
        body: '{"id":"pc-78","status":7}',
      });
      await expect(client.createEnhancedAttestation(credentials, attestationRequest())).resolves.toMatchObject({
        id: 'pc-78',
        status: 'pending',
        unreadable: expect.stringContaining('"status"'),
      });
    });

    it('should show names on the acceptance component as text, never as markup', async () => {
      const { client } = recordingClient();
      const created = await client.createEnhancedAttestation(
        credentials,
        attestationRequest({ companyName: '<script>alert(1)</script> Ltd', signatoryLastName: '"><b>x' }),
      );
      const page = await fetch(componentOf(created.id));
      const html = await page.text();
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Ltd');
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<b>x');
    });

    it('should report an attestation as expired after its link runs out', async () => {
      const { client } = recordingClient({ now: clock.now });
      const created = await client.createEnhancedAttestation(credentials, attestationRequest());
      clock.advance(7 * 24 * 3_600_000 + 1);
      await expect(client.getEnhancedAttestation(credentials, created.id)).resolves.toMatchObject({
        status: 'expired',
      });
      expect(await (await fetch(componentOf(created.id))).text()).toContain('This link expired');
    });
  });

  describe('App+User sign-in', () => {
    it('should refuse direct acceptance without a connected user, with what to do', async () => {
      const { client } = recordingClient();
      const error = await failure(client.getDirectAcceptance(credentials, firstCustomer().id));
      expect(error.kind).toBe('auth');
      expect(error.message).toContain('connect one in Partner Center settings');
    });

    it('should sign a user in through the authorize page and read direct acceptance as that user', async () => {
      const { client } = recordingClient();
      const redirectUri = 'http://127.0.0.1:9/settings/partner-center/callback';
      const authorize = await fetch(client.authorizationUrl(credentials, redirectUri, 'state-123'));
      const html = await authorize.text();
      expect(html).toContain('Sign in as a Partner Center user');
      const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1] as string;
      const fields = new URLSearchParams(
        [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m): [string, string] => [
          m[1],
          m[2].replace(/&amp;/g, '&'),
        ]),
      );
      const signIn = await fetch(new URL(action, sandbox.baseUrl), {
        method: 'POST',
        body: fields,
        redirect: 'manual',
      });
      expect(signIn.status).toBe(303);
      const back = new URL(signIn.headers.get('location') as string);
      expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
      expect(back.searchParams.get('state')).toBe('state-123');

      const user = await client.exchangeAuthorizationCode(
        credentials,
        back.searchParams.get('code') as string,
        redirectUri,
      );
      expect(user.userPrincipalName).toBe('admin@sandbox-partner.onmicrosoft.com');
      await expect(
        failure(client.exchangeAuthorizationCode(credentials, back.searchParams.get('code') as string, redirectUri)),
      ).resolves.toMatchObject({ kind: 'auth' });

      const connected = { ...credentials, refreshToken: user.refreshToken };
      const customer = firstCustomer();
      await expect(client.getDirectAcceptance(connected, customer.id)).resolves.toBe(false);
      sandbox.setDirectAcceptance(customer.id, true);
      await expect(client.getDirectAcceptance(connected, customer.id)).resolves.toBe(true);
      sandbox.setDirectAcceptance(customer.id, false);

      // A fresh client (a restart of the app) trades the stored refresh token for a new access token, and tells
      // whoever listens about the newer refresh token Entra handed out with it.
      const restarted = recordingClient().client;
      const rotations: string[] = [];
      let newest = '';
      restarted.onRefreshTokenRotated(({ previous, next }) => {
        rotations.push(`${previous === user.refreshToken}:${next !== user.refreshToken}`);
        newest = next;
      });
      await expect(restarted.getDirectAcceptance(connected, customer.id)).resolves.toBe(false);
      expect(rotations).toEqual(['true:true']);
      // The next call reads the newest refresh token back (as the app stores it): the same access token serves it.
      const tokenCalls = () => sandbox.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length;
      const tokensBefore = tokenCalls();
      await expect(restarted.getDirectAcceptance({ ...credentials, refreshToken: newest }, customer.id)).resolves.toBe(
        false,
      );
      expect(tokenCalls()).toBe(tokensBefore);
      const error = await failure(
        restarted.getDirectAcceptance({ ...credentials, refreshToken: 'revoked' }, customer.id),
      );
      expect(error.message).toMatch(/^The connected Partner Center user's sign-in has expired or was revoked/);
    });
  });
});
