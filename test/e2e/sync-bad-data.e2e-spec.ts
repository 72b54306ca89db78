import { randomUUID } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { SyncRun } from '../../src/sync/sync-run.entity';
import { SyncService } from '../../src/sync/sync.service';
import { Tenant } from '../../src/tenants/tenant.entity';
import { TENANT_TEXT_MAX } from '../../src/tenants/tenant-merge';
import { postForm, setUpFirstAdmin } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

const MCA = 'MicrosoftCustomerAgreement';

// Odd records from Partner Center (issue 11, issue 18): each is kept as well as it can be, counted and named on the
// sync status, and the sync of every other customer goes on.
describe('A sync with unusual Partner Center data', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true });
  });
  afterAll(() => testApp.close());

  it('should keep every customer it can, and show how many had unusual data and which', async () => {
    const { agent } = await setUpFirstAdmin(testApp);
    const sandbox = testApp.app.get(PartnerCenterSandboxService).server;
    const odd = sandbox.addCustomer({ companyName: 'Attested With Odd Date' });
    const longName = randomUUID();
    const noName = randomUUID();
    const noId = { companyProfile: { companyName: 'Nobody Knows', domain: 'noid.example' } };
    sandbox.faults.add({
      path: '/v1/customers?',
      body: {
        totalCount: 5,
        items: [
          { id: odd.id, companyProfile: { companyName: odd.companyName, domain: odd.domain } },
          { id: longName, companyProfile: { companyName: `Long ${'n'.repeat(600)}`, domain: 'long.example' } },
          { id: noName, companyProfile: { domain: 'noname.example' } },
          noId,
          { id: randomUUID(), companyProfile: { companyName: 'Plain Customer', domain: 'plain.example' } },
        ],
      },
    });
    sandbox.faults.add({
      path: `/v1/customers/${odd.id}/agreements`,
      body: {
        totalCount: 3,
        items: [
          { templateId: 'unknown-template', dateAgreed: 'the day before yesterday', type: MCA },
          { templateId: 't', dateAgreed: '2024-01-01T00:00:00Z', type: 'MicrosoftCloudAgreement' },
          { dateAgreed: null },
        ],
      },
    });

    expect((await postForm(agent, '/sync/status', '/sync', {})).status).toBe(303);
    await testApp.app.get(SyncService).whenIdle();

    const dataSource = testApp.app.get(DataSource);
    const run = await dataSource.getRepository(SyncRun).findOneByOrFail({});
    // The three customers the sandbox does not know answer 404 to their acceptance reads: kept, not confirmed.
    expect(run).toMatchObject({ status: 'succeeded', created: 4, unusualCount: 4, unreadCount: 3 });
    const tenants = await dataSource.getRepository(Tenant).find({ order: { id: 'ASC' } });
    expect(tenants.map((tenant) => [tenant.microsoftTenantId, tenant.name, tenant.status])).toEqual([
      [odd.id.toLowerCase(), 'Attested With Odd Date', 'attested'],
      [longName, `Long ${'n'.repeat(TENANT_TEXT_MAX - 5)}`, 'none'],
      [noName, 'noname.example', 'none'],
      [expect.any(String), 'Plain Customer', 'none'],
    ]);
    // Partner-confirmed, its dates unreadable or missing: accepted, the date left unknown (never judged old).
    expect(tenants[0]).toMatchObject({ acceptedAt: null, partnerAccepted: true, reacceptance: null });

    const page = await agent.get('/sync/status');
    expect(page.text).toContain('4 customers had unusual data');
    for (const id of [odd.id, longName, noName, '(none)']) expect(page.text).toContain(`<code dir="auto">${id}</code>`);
  });
});

// Partner Center failing for some customers: the sync goes on for the others, names the ones it could not read and
// why, and never shows "No acceptance provided" because a read failed.
describe('A sync during which Partner Center fails for some customers', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({
      listen: true,
      env: { PARTNER_CENTER_TIMEOUT_MS: '300', PARTNER_CENTER_MAX_ATTEMPTS: '2', PARTNER_CENTER_RETRY_BASE_MS: '10' },
    });
  });
  afterAll(() => testApp.close());

  it("should keep each unreadable customer's last known status, marked not confirmed, and say which and why", async () => {
    const { agent } = await setUpFirstAdmin(testApp);
    const sync = async () => {
      expect((await postForm(agent, '/sync/status', '/sync', {})).status).toBe(303);
      await testApp.app.get(SyncService).whenIdle();
    };
    await sync();
    const sandbox = testApp.app.get(PartnerCenterSandboxService).server;
    const repo = testApp.app.get(DataSource).getRepository(Tenant);
    const before = new Map((await repo.find()).map((tenant) => [tenant.microsoftTenantId, tenant.status]));
    const customers = sandbox.customers();
    const byName = (name: string) => customers.find((c) => c.companyName === name) as { id: string };
    // Accepted tenants are re-checked once a day: make every one due now.
    await repo.update({ removedAt: IsNull() }, { acceptanceCheckedAt: new Date('2026-01-01T00:00:00Z') });
    const failing = [
      [byName('Humongous Insurance').id, { status: 401 }],
      [byName('Best For You Organics').id, { status: 403 }],
      [byName('Lucerne Publishing').id, { status: 404 }],
      [byName('Adatum Corporation').id, { status: 429, retryAfterSeconds: 1 }],
      [byName('Graphic Design Institute').id, { status: 500 }],
      [byName('Proseware Inc.').id, { delayMs: 2_000 }],
    ] as const;
    for (const [id, fault] of failing)
      sandbox.faults.add({ path: `/v1/customers/${id}/agreements`, times: Infinity, ...fault });
    // Hundreds of agreements for one customer are read whole, the newest shown.
    const many = Array.from({ length: 300 }, (_, i) => ({
      templateId: '117a77b0-9360-443b-8795-c6dedc750cf9',
      dateAgreed: new Date(Date.UTC(2023, 5, 1) + i * 86_400_000).toISOString(),
      primaryContact: { firstName: 'Many', lastName: `Signer ${i}`, email: `signer${i}@example.com` },
      type: MCA,
    }));
    sandbox.faults.add({ path: `/v1/customers/${byName('Coho Winery').id}/agreements`, body: { items: many } });

    await sync();
    const run = await testApp.app
      .get(DataSource)
      .getRepository(SyncRun)
      .findOneOrFail({ where: {}, order: { id: 'DESC' } });
    expect(run).toMatchObject({ status: 'succeeded', unreadCount: failing.length });
    expect(run.unreadIds?.split(' ').sort()).toEqual(failing.map(([id]) => id).sort());
    for (const [id] of failing) {
      const tenant = await repo.findOneByOrFail({ microsoftTenantId: id });
      expect(tenant.status).toBe(before.get(id));
      expect(tenant.acceptanceUnconfirmed).toEqual(expect.any(String));
    }
    expect((await repo.findOneByOrFail({ microsoftTenantId: byName('Humongous Insurance').id })).status).toBe(
      'attested',
    );
    const coho = await repo.findOneByOrFail({ microsoftTenantId: byName('Coho Winery').id });
    expect(coho).toMatchObject({ status: 'attested', agreementSignatory: 'Many Signer 299 <signer299@example.com>' });

    const page = await agent.get('/mca?q=Humongous');
    expect(page.text).toContain('Microsoft did not give the acceptance of 6 customers in the last sync');
    expect(page.text).toContain('Not confirmed by Microsoft');

    // The next sync that reads them clears the mark.
    sandbox.faults.clear();
    await sync();
    for (const [id] of failing)
      expect((await repo.findOneByOrFail({ microsoftTenantId: id })).acceptanceUnconfirmed).toBeNull();
  });
});

describe('A sync of a small broker whose Partner Center user is not connected', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true });
  });
  afterAll(() => testApp.close());

  it('should fail with the reason rather than show three customers as not confirmed', async () => {
    const { agent } = await setUpFirstAdmin(testApp);
    expect((await postForm(agent, '/settings/partner-center', '/settings/partner-center/disconnect', {})).status).toBe(
      303,
    );
    const sandbox = testApp.app.get(PartnerCenterSandboxService).server;
    const few = sandbox.customers().slice(0, 3);
    sandbox.faults.add({
      path: '/v1/customers?',
      body: {
        totalCount: 3,
        items: few.map((c) => ({ id: c.id, companyProfile: { companyName: c.companyName, domain: c.domain } })),
      },
    });
    expect((await postForm(agent, '/sync/status', '/sync', {})).status).toBe(303);
    await testApp.app.get(SyncService).whenIdle();
    const run = await testApp.app.get(DataSource).getRepository(SyncRun).findOneByOrFail({});
    expect(run.status).toBe('failed');
    expect(run.error).toContain('connected Partner Center user');
    expect(await testApp.app.get(DataSource).getRepository(Tenant).count()).toBe(0);
  });
});
