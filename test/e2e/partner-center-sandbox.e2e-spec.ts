import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PartnerCenterSandboxService,
  SANDBOX_STATE_FILE,
} from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { recordingClient, startSandbox, type StandaloneSandbox } from '../support/sandbox';
import { createTestApp } from '../support/test-app';

// The sandbox as a process of its own (state across restarts) and as the app runs it in sandbox mode.
describe('Partner Center sandbox state', () => {
  it('should keep its app registration and customers across restarts', async () => {
    const first = await startSandbox();
    const added = first.sandbox.addCustomer({ companyName: 'Restart Test Ltd' });
    const registration = first.sandbox.appRegistration();
    await first.sandbox.stop();
    const second = await startSandbox({ stateFile: first.stateFile });
    try {
      expect(second.sandbox.appRegistration()).toEqual(registration);
      expect(second.sandbox.customers().map((c) => c.id)).toContain(added.id);
    } finally {
      await second.sandbox.stop();
    }
  });

  it('should seed the same customers on every machine: a few directly signed, some attested before the app', async () => {
    const [one, two] = await Promise.all([startSandbox(), startSandbox()]);
    try {
      const customers = one.sandbox.customers();
      expect(customers.length).toBeGreaterThanOrEqual(40);
      expect(two.sandbox.customers()).toEqual(customers);
      const signed = customers.filter((c) => c.directlySigned);
      expect(signed.length).toBeGreaterThanOrEqual(3);
      expect(signed.length).toBeLessThan(customers.length / 4);
      // Partner-confirmed agreements made outside the app, one of them before the MCA refresh of 1 April 2023,
      // and one customer who also accepted directly.
      const attested = customers.filter((c) => c.agreements.length > 0);
      expect(attested.map((c) => c.companyName).sort()).toEqual([
        'Graphic Design Institute',
        'Humongous Insurance',
        'Lucerne Publishing',
        'Proseware Inc.',
      ]);
      expect(attested.every((c) => c.agreements[0].primaryContact !== null)).toBe(true);
      expect(attested.filter((c) => Date.parse(c.agreements[0].dateAgreed) < Date.parse('2023-04-01'))).toHaveLength(1);
      expect(attested.filter((c) => c.directlySigned).map((c) => c.companyName)).toEqual(['Proseware Inc.']);
      expect(one.sandbox.appRegistration().appSecret).not.toBe(two.sandbox.appRegistration().appSecret);
    } finally {
      await Promise.all([one.sandbox.stop(), two.sandbox.stop()]);
    }
  });

  it('should refuse to start on a broken state file or a busy port, saying what to do', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'pc-sandbox-')), 'state.json');
    writeFileSync(broken, '{"version":1,');
    await expect(startSandbox({ stateFile: broken })).rejects.toThrow(
      `${broken} is not valid: fix it, or delete it to start over`,
    );

    const running = await startSandbox();
    try {
      const port = Number(new URL(running.sandbox.baseUrl).port);
      await expect(startSandbox({ port })).rejects.toThrow(`port ${port} is in use: set SANDBOX_PORT to a free port`);
    } finally {
      await running.sandbox.stop();
    }
  });
});

// The sandbox refuses what Microsoft documents as refused, so that a client that passes against it passes against
// Partner Center: every test trusts it.
describe('Partner Center sandbox as Microsoft documents it', () => {
  const FIELDS = {
    country: 'US',
    language: 'en-US',
    companyName: 'Contoso',
    signatoryFirstName: 'A',
    signatoryLastName: 'B',
    signatoryEmail: 'a@example.com',
  };
  let pc: StandaloneSandbox;
  const token = async (fields: Record<string, string>) => {
    const { tenantId, appId, appSecret } = pc.sandbox.appRegistration();
    const response = await fetch(`${pc.sandbox.baseUrl}/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: appId, client_secret: appSecret, ...fields }),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const call = async (bearer: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${pc.sandbox.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    pc = await startSandbox();
  });
  afterAll(() => pc.sandbox.stop());

  it('should refuse the app\'s own token where "this scenario only supports App+User authentication"', async () => {
    const app = await token({
      grant_type: 'client_credentials',
      scope: 'https://api.partnercenter.microsoft.com/.default',
    });
    const [customer] = pc.sandbox.customers();
    for (const path of [
      `/v1/customers/${customer.id}/agreements?agreementType=MicrosoftCustomerAgreement`,
      `/v1/customers/${customer.id}/directSignedMicrosoftCustomerAgreementStatus`,
      '/v1/agreements?agreementType=MicrosoftCustomerAgreement',
    ]) {
      await expect(call(app, 'GET', path)).resolves.toMatchObject({
        status: 403,
        body: { errorName: 'AppPlusUserRequired' },
      });
    }
  });

  it('should refuse a user\'s token on the enhanced attestation, which "only supports AppOnly authentication"', async () => {
    const user = await token({
      grant_type: 'refresh_token',
      refresh_token: pc.sandbox.signInPartnerUser().refreshToken,
    });
    const created = await call(user, 'POST', '/v1/attestations/enhanced', FIELDS);
    expect(created).toMatchObject({ status: 403, body: { errorName: 'AppOnlyRequired' } });
  });

  it('should take exactly the documented create fields, without a customer, and answer without a link', async () => {
    const app = await token({
      grant_type: 'client_credentials',
      scope: 'https://api.partnercenter.microsoft.com/.default',
    });
    const created = await call(app, 'POST', '/v1/attestations/enhanced', FIELDS);
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(
      ['acceptedDateTime', 'createdDateTime', 'expirationDateTime', 'id', 'status'].sort(),
    );
    for (const missing of Object.keys(FIELDS)) {
      const { [missing as keyof typeof FIELDS]: _omitted, ...rest } = FIELDS;
      await expect(call(app, 'POST', '/v1/attestations/enhanced', rest)).resolves.toMatchObject({ status: 400 });
    }
  });

  it('should read a state file of version 1, where a direct acceptance was listed as an agreement', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'pc-sandbox-')), 'state.json');
    const first = await startSandbox({ stateFile });
    await first.sandbox.stop();
    const data = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      version: number;
      customers: { directlySigned: boolean; agreements: unknown[] }[];
    };
    data.version = 1;
    for (const customer of data.customers)
      customer.agreements = customer.directlySigned
        ? [{ templateId: 't', dateAgreed: '2026-01-06T00:00:00.000Z', primaryContact: null, attestationId: null }]
        : [];
    writeFileSync(stateFile, JSON.stringify(data));
    const upgraded = await startSandbox({ stateFile });
    try {
      const customers = upgraded.sandbox.customers();
      expect(customers.filter((c) => c.agreements.some((a) => a.primaryContact === null))).toEqual([]);
      expect(customers.filter((c) => c.agreements.length > 0)).toHaveLength(4);
    } finally {
      await upgraded.sandbox.stop();
    }
  });
});

describe(PartnerCenterSandboxService.name, () => {
  it('should run the sandbox with the app in sandbox mode, keep its registration in DATA_DIR, and stop with the app', async () => {
    const testApp = await createTestApp();
    const service = testApp.app.get(PartnerCenterSandboxService);
    const baseUrl = service.baseUrl;
    const registration = service.appRegistration();
    try {
      const { client } = recordingClient();
      const page = await client.listCustomers(service.credentials(), { pageSize: 5 });
      expect(page.items).toHaveLength(5);
      expect(existsSync(join(testApp.dataDir, SANDBOX_STATE_FILE))).toBe(true);
    } finally {
      await testApp.close();
    }
    await expect(fetch(`${baseUrl}/sandbox.css`)).rejects.toThrow();

    const restarted = await createTestApp({ dataDir: testApp.dataDir });
    try {
      expect(restarted.app.get(PartnerCenterSandboxService).appRegistration()).toEqual(registration);
    } finally {
      await restarted.close();
    }
  });

  it('should stay off in live mode and say so', async () => {
    const testApp = await createTestApp({ env: { PARTNER_CENTER_MODE: 'live' } });
    try {
      const service = testApp.app.get(PartnerCenterSandboxService);
      expect(service.running).toBe(false);
      expect(() => service.baseUrl).toThrow('not running');
    } finally {
      await testApp.close();
      delete process.env.PARTNER_CENTER_MODE;
    }
  });
});
