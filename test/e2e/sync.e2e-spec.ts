import type TestAgent from 'supertest/lib/agent';
import hbs from 'hbs';
import { DataSource, type Repository } from 'typeorm';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import type { PartnerCenterSandbox } from '../../src/partner-center/sandbox/partner-center-sandbox';
import type { SandboxFault } from '../../src/partner-center/sandbox/sandbox-faults';
import { runForBroker } from '../../src/common/request-context';
import { SqlService, type Tx } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { RecurringJobs } from '../../src/jobs/recurring-jobs.service';
import { SyncRun } from '../../src/sync/sync-run.entity';
import { TENANT_SYNC_SCHEDULE, TENANT_SYNC_SCHEDULE_JOB } from '../../src/sync/sync-jobs';
import { SyncService } from '../../src/sync/sync.service';
import { Tenant } from '../../src/tenants/tenant.entity';
import { createTestApp, type TestApp } from '../support/test-app';
import { createUser, postForm, setUpFirstAdmin, signIn } from '../support/http';
import { connectPartnerCenterUser } from '../support/partner-center-user';
import { gate } from '../support/sandbox';
import { auditEvents } from '../support/audit';

// The page's own date helper, so the test expects exactly what the page shows.
const formatDate = (value: Date | null): string =>
  (hbs.handlebars.helpers.formatDate as (value: unknown) => string)(value);

describe('Tenant sync', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;
  let sandbox: PartnerCenterSandbox;
  let tenants: Repository<Tenant>;
  let runs: Repository<SyncRun>;

  const startSync = (agent: TestAgent = admin) => postForm(agent, '/sync/status', '/sync', {});
  const syncNow = async (agent: TestAgent = admin) => {
    const response = await startSync(agent);
    await testApp.app.get(SyncService).whenIdle();
    return response;
  };
  const latestRun = () => runs.findOneOrFail({ where: { brokerId }, order: { id: 'DESC' } });
  const snapshot = async () =>
    (await tenants.find({ where: { brokerId }, order: { id: 'ASC' } })).map((t) => ({ ...t }));

  beforeAll(async () => {
    testApp = await createTestApp({
      listen: true,
      env: {
        PARTNER_CENTER_RETRY_BASE_MS: '1',
        PARTNER_CENTER_RETRY_MAX_WAIT_MS: '5',
        PARTNER_CENTER_TIMEOUT_MS: '3000',
      },
    });
    admin = (await setUpFirstAdmin(testApp)).agent;
    const dataSource = testApp.app.get(DataSource);
    brokerId = (await dataSource.query<{ id: number }[]>('SELECT id FROM brokers'))[0].id;
    tenants = dataSource.getRepository(Tenant);
    runs = dataSource.getRepository(SyncRun);
    sandbox = testApp.app.get(PartnerCenterSandboxService).server;
  });
  afterAll(() => testApp.close());
  afterEach(() => sandbox.faults.clear());

  it('should show that nothing was synced yet on the status page', async () => {
    const page = await admin.get('/sync/status');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Not synced from Microsoft yet.');
    expect(page.text).toContain('action="/sync"');
  });

  it('should fail clearly and change nothing when no Partner Center user is connected', async () => {
    // A new broker starts with the sandbox's user connected: let it go first.
    expect((await postForm(admin, '/settings/partner-center', '/settings/partner-center/disconnect', {})).status).toBe(
      303,
    );
    const response = await syncNow();
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/mca');
    expect(await tenants.countBy({ brokerId })).toBe(0);
    const run = await latestRun();
    expect(run.status).toBe('failed');
    expect(run.error).toContain('connected Partner Center user');
    const page = await admin.get('/sync/status');
    expect(page.text).toContain('The last sync from Microsoft failed');
    expect(page.text).toContain('connected Partner Center user');
  });

  it('should create every customer as a tenant, attested where Partner Center holds a partner agreement, made outside the app or not', async () => {
    expect((await connectPartnerCenterUser(admin)).status).toBe(303);
    await syncNow();
    const run = await latestRun();
    expect(run).toMatchObject({
      status: 'succeeded',
      processed: 40,
      total: 40,
      created: 40,
      updated: 0,
      removed: 0,
      error: null,
    });
    const rows = await tenants.find({ where: { brokerId } });
    expect(rows).toHaveLength(40);
    const expected = sandbox.customers();
    for (const customer of expected) {
      const row = rows.find((r) => r.microsoftTenantId === customer.id);
      const [partner] = customer.agreements;
      expect(row).toMatchObject({
        name: customer.companyName,
        domain: customer.domain,
        status: partner ? 'attested' : customer.directlySigned ? 'direct' : 'none',
        directlySigned: customer.directlySigned,
        partnerAccepted: Boolean(partner),
        attestedOutside: Boolean(partner),
        removedAt: null,
      });
      expect(row?.acceptanceCheckedAt).not.toBeNull();
      // A partner agreement is dated by Partner Center; a direct acceptance (no date from Microsoft) when first seen.
      if (partner) expect(row?.acceptedAt?.toISOString()).toBe(new Date(partner.dateAgreed).toISOString());
      else if (customer.directlySigned) expect(row?.acceptedAt).toEqual(row?.directSeenAt);
      else expect(row?.acceptedAt).toBeNull();
    }
    const byName = (name: string) => rows.find((r) => r.name === name);
    expect(byName('Humongous Insurance')).toMatchObject({
      status: 'attested',
      agreementSignatory: 'Dana Fuller <dana.fuller@humongousinsurance.onmicrosoft.com>',
    });
    expect(byName('Proseware Inc.')).toMatchObject({ status: 'attested', directlySigned: true });
    const page = await admin.get('/sync/status');
    expect(page.text).toContain('Last synced from Microsoft:');
    expect(page.text).not.toContain('The last sync from Microsoft failed');
  });

  it('should change nothing when run again on the same data', async () => {
    const before = await snapshot();
    await syncNow();
    expect(await latestRun()).toMatchObject({ status: 'succeeded', created: 0, updated: 0, removed: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('should add and update tenants without duplicates, keeping a customer name with markup as text', async () => {
    const signing = sandbox.customers().find((c) => !c.directlySigned) as { id: string };
    const added = sandbox.addCustomer({
      companyName: '  <img src=x onerror=alert(1)> Evil & Co  ',
      domain: 'evil.onmicrosoft.com',
    });
    sandbox.setDirectAcceptance(signing.id, true);
    await syncNow();
    expect(await latestRun()).toMatchObject({ status: 'succeeded', created: 1, updated: 1, removed: 0 });
    expect(await tenants.countBy({ brokerId })).toBe(41);
    expect(await tenants.findOneByOrFail({ brokerId, microsoftTenantId: added.id.toLowerCase() })).toMatchObject({
      name: '<img src=x onerror=alert(1)> Evil & Co',
      status: 'none',
    });
    const signed = await tenants.findOneByOrFail({ brokerId, microsoftTenantId: signing.id });
    expect(signed).toMatchObject({ status: 'direct', directlySigned: true });
    expect(signed.acceptedAt).not.toBeNull();
    const list = await admin.get('/mca?q=Evil');
    expect(list.status).toBe(200);
    expect(list.text).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; Evil &amp; Co');
    expect(list.text).not.toContain('<img src=x');
    const ids = (await tenants.find({ where: { brokerId } })).map((t) => t.microsoftTenantId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should mark a customer gone from Partner Center as removed, keep it, and unmark it when it comes back', async () => {
    const gone = sandbox.customers()[0];
    sandbox.removeCustomer(gone.id);
    await syncNow();
    expect(await latestRun()).toMatchObject({ status: 'succeeded', removed: 1 });
    const removed = await tenants.findOneByOrFail({ brokerId, microsoftTenantId: gone.id });
    expect(removed.removedAt).not.toBeNull();
    expect(removed.name).toBe(gone.companyName);

    sandbox.addCustomer({
      id: gone.id,
      companyName: gone.companyName,
      domain: gone.domain,
      directlySigned: gone.directlySigned,
    });
    await syncNow();
    expect((await tenants.findOneByOrFail({ brokerId, microsoftTenantId: gone.id })).removedAt).toBeNull();
    expect(await tenants.countBy({ brokerId })).toBe(41);
  });

  it('should start one run when two syncs are asked for at once', async () => {
    const before = await runs.countBy({ brokerId });
    // The customer list is held until both requests have been answered: the first run is still going.
    const customerList = gate();
    sandbox.faults.add({ path: '/v1/customers?', holdUntil: customerList.held });
    const page = await admin.get('/sync/status');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const [first, second] = await Promise.all([
      admin.post('/sync').type('form').send({ _csrf: token }),
      admin.post('/sync').type('form').send({ _csrf: token }),
    ]);
    expect([first.status, second.status]).toEqual([303, 303]);
    customerList.open();
    await testApp.app.get(SyncService).whenIdle();
    expect(await runs.countBy({ brokerId })).toBe(before + 1);
  });

  it('should leave a live sync of another instance alone, and take over one whose instance went silent', async () => {
    const sql = testApp.app.get(SqlService);
    const now = new Date();
    const other = await runs.save(
      runs.create({
        brokerId,
        status: 'running',
        triggeredBy: 'schedule',
        owner: 'other-instance',
        startedAt: now,
        heartbeatAt: now,
      }),
    );
    // The other instance holds the broker's sync job, its lease renewed a moment ago (claimed in the transaction
    // that queued it, so this instance's worker never sees it free).
    const claim = (tx: Tx, jobId: number, lockedUntil: Date) =>
      tx.run(
        `UPDATE jobs SET state = 'running', attempts = 1, locked_by = 'other-instance', locked_until = ${tx.dialect.placeholder(1)} WHERE id = ${tx.dialect.placeholder(2)}`,
        [tx.dialect.encodeTimestamp(lockedUntil), jobId],
      );
    const jobId = await sql.transaction(async (tx) => {
      const id = (await testApp.app.get(SyncService).enqueue(tx, brokerId, 'schedule'))!;
      await claim(tx, id, new Date(now.getTime() + 10 * 60_000));
      return id;
    });
    const response = await startSync();
    expect(response.status).toBe(303);
    const page = await admin.get('/sync/status');
    expect(page.text).toContain('A sync from Microsoft is already running');
    expect(page.text).toContain('Syncing from Microsoft');
    const polled = await admin.get('/sync/status').set('HX-Request', 'true');
    expect(polled.text).toContain('hx-trigger="every 2s"');
    expect(polled.text).not.toContain('<html');
    expect(polled.headers['hx-trigger']).toBeUndefined();
    expect(await latestRun()).toMatchObject({ id: other.id, status: 'running' });

    await sql.transaction((tx) => claim(tx, jobId, new Date(now.getTime() - 60_000)));
    await testApp.app.get(SyncService).whenIdle();
    expect(await runs.findOneByOrFail({ id: other.id })).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('stopped without finishing'),
    });
    expect(await latestRun()).toMatchObject({ status: 'succeeded' });
    expect(await testApp.app.get(JobQueue).get(jobId)).toMatchObject({ state: 'succeeded', attempts: 2 });
    const done = await admin.get('/sync/status').set('HX-Request', 'true');
    expect(done.text).not.toContain('hx-trigger="every 2s"');
    expect(JSON.parse(done.headers['hx-trigger'] as string)).toEqual({ 'sync-finished': { target: 'body' } });
  });

  describe.each<[string, SandboxFault, RegExp]>([
    [
      'answers 500 until the attempts run out',
      { path: 'directSignedMicrosoftCustomerAgreementStatus', status: 500, times: Infinity },
      /not available right now .*tried 4 times/,
    ],
    [
      'sends malformed JSON',
      { path: '/v1/customers?', status: 200, body: '{"items": [', times: Infinity },
      /unexpected answer .*not valid JSON/,
    ],
    ['does not answer in time', { path: '/v1/customers?', times: Infinity }, /did not answer within/],
  ])('when Partner Center %s', (_, fault, reason) => {
    it('should keep the previous tenants and show why the sync failed', async () => {
      const before = await snapshot();
      const lastSuccess = await runs.findOneOrFail({ where: { brokerId, status: 'succeeded' }, order: { id: 'DESC' } });
      sandbox.addCustomer({ companyName: 'Not Yet Synced Ltd' });
      // A fault without a status or body is an answer that never comes (until the test is done with it).
      const silence = gate();
      sandbox.faults.add(fault.status === undefined ? { ...fault, holdUntil: silence.held } : fault);
      await syncNow();
      sandbox.faults.clear();
      silence.open();
      const run = await latestRun();
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(reason);
      expect(await snapshot()).toEqual(before);
      const page = await admin.get('/sync/status');
      expect(page.text).toContain('The last sync from Microsoft failed');
      expect(page.text).toContain(hbs.handlebars.Utils.escapeExpression(run.error ?? ''));
      expect(page.text).toContain(`which ended on ${formatDate(lastSuccess.finishedAt)}`);
      const [failed] = (await auditEvents(testApp, 'sync.failed')).slice(-1);
      expect(failed).toMatchObject({ broker_id: brokerId, actor_type: 'system', subject_id: String(run.id) });
      expect(JSON.parse(failed.data)).toEqual({ error: run.error });
    });
  });

  it('should record each sync in the audit trail: started by whom, and its outcome with its counts', async () => {
    await syncNow();
    const run = await latestRun();
    const events = (await auditEvents(testApp)).filter(
      (event) => event.subject_type === 'sync_run' && event.subject_id === String(run.id),
    );
    expect(events.map((event) => [event.action, event.broker_id, event.actor_type])).toEqual([
      ['sync.started', brokerId, 'system'],
      ['sync.succeeded', brokerId, 'system'],
    ]);
    expect(JSON.parse(events[0].data)).toEqual({ trigger: 'manual' });
    expect(JSON.parse(events[1].data)).toMatchObject({ processed: run.processed, created: run.created });
    const [requested] = (await auditEvents(testApp, 'sync.requested')).slice(-1);
    expect(requested).toMatchObject({
      broker_id: brokerId,
      actor_type: 'user',
      actor_label: expect.stringContaining('@'),
    });
  });

  it('should let an operator start a sync and refuse a viewer', async () => {
    await createUser(testApp, brokerId, 'olga@contoso.test', 'operator');
    await createUser(testApp, brokerId, 'victor@contoso.test', 'viewer');
    const operator = (await signIn(testApp, 'olga@contoso.test')).agent;
    expect((await syncNow(operator)).status).toBe(303);
    expect(await latestRun()).toMatchObject({ status: 'succeeded', triggeredBy: 'manual' });
    const viewer = (await signIn(testApp, 'victor@contoso.test')).agent;
    const page = await viewer.get('/sync/status');
    expect(page.text).not.toContain('action="/sync"');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    expect((await viewer.post('/sync').type('form').send({ _csrf: token })).status).toBe(403);
  });

  it('should sync every broker on the schedule, skipping one synced recently', async () => {
    const recurring = testApp.app.get(RecurringJobs);
    const queue = testApp.app.get(JobQueue);
    // The app has other recurring jobs (attestation polls, report schedules): only the sync's count here.
    const scheduledSyncs = async (now: Date) => {
      const jobs = await Promise.all((await recurring.tick(now)).map((id) => queue.get(id)));
      return jobs.filter((job) => job?.type === TENANT_SYNC_SCHEDULE_JOB);
    };
    const due = (await recurring.nextRunAt(TENANT_SYNC_SCHEDULE))!;
    expect(await scheduledSyncs(new Date(due.getTime() - 1000))).toEqual([]);
    const before = await runs.countBy({ brokerId });
    expect(await scheduledSyncs(due)).toHaveLength(1);
    await testApp.app.get(SyncService).whenIdle();
    expect(await runs.countBy({ brokerId })).toBe(before);

    await runs.update({ brokerId }, { startedAt: new Date(Date.now() - 2 * 60 * 60_000) });
    // Two hours later (the app was down meanwhile): one more scheduled sync, not one per missed hour.
    expect(await scheduledSyncs(new Date(due.getTime() + 2 * 60 * 60_000 + 1000))).toHaveLength(1);
    await testApp.app.get(SyncService).whenIdle();
    expect(await runs.countBy({ brokerId })).toBe(before + 1);
    expect(await latestRun()).toMatchObject({ status: 'succeeded', triggeredBy: 'schedule' });
  });

  it('should run one sync when two app instances sharing the database start one at the same moment', async () => {
    const second = await createTestApp({ dataDir: testApp.dataDir, listen: true });
    try {
      const before = await runs.countBy({ brokerId });
      const customerList = gate();
      sandbox.faults.add({ path: '/v1/customers?', holdUntil: customerList.held });
      const started = await runForBroker(brokerId, () =>
        Promise.all([testApp.app.get(SyncService).start('manual'), second.app.get(SyncService).start('manual')]),
      );
      customerList.open();
      expect(started.filter(Boolean)).toHaveLength(1);
      await Promise.all([testApp.app.get(SyncService).whenIdle(), second.app.get(SyncService).whenIdle()]);
      expect(await runs.countBy({ brokerId })).toBe(before + 1);
      expect(await latestRun()).toMatchObject({ status: 'succeeded' });
    } finally {
      await second.close();
    }
  });
});
