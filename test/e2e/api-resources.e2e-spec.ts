import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import { SqlService } from '../../src/database/sql.service';
import { ReportsRepository } from '../../src/reports/reports.repository';
import { SyncService } from '../../src/sync/sync.service';
import { Tenant } from '../../src/tenants/tenant.entity';
import { apiClient, createApiToken } from '../support/api';
import { createAttestation } from '../support/attestations';
import { auditEvents } from '../support/audit';
import { postForm, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { readCsv, readXlsx } from '../support/report-files';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, createBroker, seedTenants } from '../support/tenants';

type Client = ReturnType<typeof apiClient>;
interface TenantJson {
  id: number;
  name: string;
  status: string;
  acceptedAt: string | null;
  url: string;
}
interface ListJson {
  data: TenantJson[];
  next: string | null;
}

const problemOf = (response: request.Response) => {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return JSON.parse(response.text) as { type: string; status: number; detail: string; errors?: Record<string, string> };
};

const binary = (req: request.Test) =>
  req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

describe('API resources: tenants, sync, reports', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;
  let otherBrokerId: number;
  let writer: Client;
  let reader: Client;
  let other: Client;
  let writerTokenId: number;

  // Every page of a list, following `next` from `first`.
  async function allPages(client: Client, first: string): Promise<{ pages: TenantJson[][]; links: string[] }> {
    const pages: TenantJson[][] = [];
    const links: string[] = [];
    let next: string | null = first;
    while (next) {
      links.push(next);
      const response = await client.get(next).expect(200);
      const body = response.body as ListJson;
      pages.push(body.data);
      next = body.next;
      if (pages.length > 50) throw new Error('The list does not end');
    }
    return { pages, links };
  }

  const tenantsOfBroker = (where: FindOptionsWhere<Tenant> = {}) =>
    testApp.app
      .get(DataSource)
      .getRepository(Tenant)
      .find({ where: { brokerId, ...where } });

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true, env: { ...FAST_JOBS_ENV } });
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    otherBrokerId = await createBroker(testApp, 'Northwind');
    writer = apiClient(testApp, await createApiToken(testApp, brokerId, { name: 'Provisioning', scope: 'write' }));
    reader = apiClient(testApp, await createApiToken(testApp, brokerId, { name: 'Billing', scope: 'read' }));
    other = apiClient(testApp, await createApiToken(testApp, otherBrokerId, { name: 'Theirs', scope: 'write' }));
    writerTokenId = ((await writer.get('/api/v1/token').expect(200)).body as { id: number }).id;
  });
  afterAll(() => testApp.close());

  describe('sync', () => {
    it('refuses a read token', async () => {
      const refused = problemOf(await reader.post('/api/v1/sync').expect(403));
      expect(refused).toMatchObject({ type: '/api/v1/problems/forbidden' });
      expect(await auditEvents(testApp, 'sync.requested')).toEqual([]);
    });

    it('starts one sync for the token, refuses a second while it runs, and reports how it ended', async () => {
      const [first, second] = await Promise.all([writer.post('/api/v1/sync'), writer.post('/api/v1/sync')]);
      const started = [first, second].find((response) => response.status === 202)!;
      const refused = [first, second].find((response) => response.status !== 202)!;
      expect(started.headers.location).toBe('/api/v1/sync');
      expect(started.body).toMatchObject({ running: true, progress: { processed: 0 } });
      expect(refused.status).toBe(409);
      expect(problemOf(refused)).toMatchObject({
        type: '/api/v1/problems/conflict',
        detail: 'A sync from Microsoft is already running.',
      });
      await testApp.app.get(SyncService).whenIdle();
      const status = (await reader.get('/api/v1/sync').expect(200)).body as Record<string, unknown>;
      expect(status).toMatchObject({ running: false, startedAt: null, progress: null, lastFailure: null });
      expect(Date.parse(status.lastSuccessAt as string)).not.toBeNaN();
      // The request is the token's in the audit trail, named by it.
      const events = await auditEvents(testApp, 'sync.requested');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ broker_id: brokerId, actor_type: 'token', actor_id: writerTokenId });
      expect(events[0].actor_label).toContain('API token "Provisioning"');
      expect((await tenantsOfBroker()).length).toBeGreaterThan(0);
    });

    it("shows each token its own broker's sync only", async () => {
      const theirs = (await other.get('/api/v1/sync').expect(200)).body as Record<string, unknown>;
      expect(theirs).toMatchObject({ running: false, lastSuccessAt: null });
    });
  });

  describe('tenants', () => {
    beforeAll(async () => {
      await seedTenants(
        testApp,
        brokerId,
        Array.from({ length: 130 }, (_, i) => ({
          name: `Api tenant ${String(i).padStart(3, '0')}`,
          status: (['none', 'pending', 'attested', 'direct'] as const)[i % 4],
        })),
      );
      await seedTenants(testApp, otherBrokerId, [{ name: 'Api tenant of Northwind' }]);
    });

    it("lists every tenant of the token's broker once, page after page, in the page's order", async () => {
      const stored = await tenantsOfBroker();
      const byFifty = await allPages(reader, '/api/v1/tenants');
      expect(byFifty.pages.slice(0, -1).every((page) => page.length === 50)).toBe(true);
      const listed = byFifty.pages.flat();
      expect(listed.map((tenant) => tenant.id).sort((a, b) => a - b)).toEqual(
        stored.map((tenant) => tenant.id).sort((a, b) => a - b),
      );
      // Read from the last row on (keyset), the pages of 50 give the order of pages of 100.
      const byHundred = await allPages(reader, '/api/v1/tenants?limit=100');
      expect(listed.map((tenant) => tenant.id)).toEqual(byHundred.pages.flat().map((tenant) => tenant.id));
      expect(byFifty.links[1]).toMatch(/^\/api\/v1\/tenants\?cursor=[\w-]+$/);
      expect(listed[0]).toMatchObject({ url: `/api/v1/tenants/${listed[0].id}`, statusLabel: expect.any(String) });
    });

    it("applies the page's status filter, search and sort, and keeps them in the next link", async () => {
      const none = await allPages(reader, '/api/v1/tenants?status=none&limit=10');
      expect(none.links[1]).toMatch(/^\/api\/v1\/tenants\?status=none&limit=10&cursor=/);
      expect(
        none.pages
          .flat()
          .map((tenant) => tenant.id)
          .sort((a, b) => a - b),
      ).toEqual((await tenantsOfBroker({ status: 'none' })).map((tenant) => tenant.id).sort((a, b) => a - b));
      const found = (await reader.get('/api/v1/tenants?q=api%20tenant%2001&limit=100').expect(200)).body as ListJson;
      expect(found.data.map((tenant) => tenant.name).sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `Api tenant 01${i}`),
      );
      // The date order is read by page number (it has no keyset); following it still gives every tenant once.
      const byDate = await allPages(reader, '/api/v1/tenants?sort=date&dir=asc&limit=25');
      const dated = byDate.pages.flat();
      expect(new Set(dated.map((tenant) => tenant.id)).size).toBe((await tenantsOfBroker()).length);
      const times = dated.map((tenant) => (tenant.acceptedAt ? Date.parse(tenant.acceptedAt) : -Infinity));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    it('refuses a filter, sort, limit, cursor or parameter it does not know, by name', async () => {
      const cases: [string, string][] = [
        ['status=bogus', 'status'],
        ['sort=size', 'sort'],
        ['dir=up', 'dir'],
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['limit=1e1', 'limit'],
        ['status=none&status=pending', 'status'],
        [`q=${'x'.repeat(201)}`, 'q'],
        ['cursor=not-ours', 'cursor'],
        [`cursor=${Buffer.from('{"page":0,"after":1}').toString('base64url')}`, 'cursor'],
        ['page=2', 'page'],
      ];
      for (const [query, field] of cases) {
        const response = await reader.get(`/api/v1/tenants?${query}`);
        expect([query, response.status]).toEqual([query, 422]);
        const problem = problemOf(response);
        expect([query, problem.type, Object.keys(problem.errors ?? {})]).toEqual([
          query,
          '/api/v1/problems/validation-failed',
          [field],
        ]);
      }
    });

    it('reads one tenant with its acceptance, agreement version and attestations', async () => {
      const [attested] = await tenantsOfBroker({ status: 'attested', partnerAccepted: true });
      const read = (await reader.get(`/api/v1/tenants/${attested.id}`).expect(200)).body as Record<string, unknown>;
      expect(read).toMatchObject({
        id: attested.id,
        name: attested.name,
        status: 'attested',
        agreementVersion: attested.agreementTemplateId,
        acceptance: {
          acceptedAt: attested.acceptedAt?.toISOString() ?? null,
          partner: { agreedAt: attested.partnerAgreedAt?.toISOString() ?? null, outside: attested.attestedOutside },
        },
        attestations: [],
      });
      // A customer from the sandbox, with an attestation made on its page.
      const [customer] = (await tenantsOfBroker({ status: 'none' })).filter((t) => !t.name.startsWith('Api tenant'));
      expect((await createAttestation(admin, customer.id, { autoFinalize: 'no' })).status).toBe(303);
      const withAttestation = (await reader.get(`/api/v1/tenants/${customer.id}`).expect(200)).body as {
        status: string;
        attestations: { id: number; status: string; createdAt: string; url: string }[];
      };
      expect(withAttestation.status).toBe('pending');
      expect(withAttestation.attestations).toEqual([
        {
          id: expect.any(Number),
          status: 'awaiting_acceptance',
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          url: `/api/v1/attestations/${withAttestation.attestations[0]?.id}`,
        },
      ]);
    });

    it("answers another broker's tenant, and ids that cannot be ids, as not found", async () => {
      const [theirs] = await testApp.app
        .get(DataSource)
        .getRepository(Tenant)
        .find({ where: { brokerId: otherBrokerId } });
      expect(problemOf(await reader.get(`/api/v1/tenants/${theirs.id}`).expect(404)).type).toBe(
        '/api/v1/problems/not-found',
      );
      const theirList = (await other.get('/api/v1/tenants').expect(200)).body as ListJson;
      expect(theirList.data.map((tenant) => tenant.name)).toEqual(['Api tenant of Northwind']);
      for (const id of ['0', '2147483648', '99999999999999999999', '1e3', '-1', 'abc', '1.5'])
        expect([id, problemOf(await reader.get(`/api/v1/tenants/${id}`)).status]).toEqual([id, 404]);
    });
  });

  describe('reports', () => {
    it('refuses a read token, and bad fields by name, with nothing queued', async () => {
      expect(problemOf(await reader.post('/api/v1/reports', { format: 'csv' }).expect(403)).type).toBe(
        '/api/v1/problems/forbidden',
      );
      const cases: [object, string][] = [
        [{ format: 'pdf' }, 'format'],
        [{}, 'format'],
        [{ format: 'csv', status: 'bogus' }, 'filter'],
        [{ format: 'csv', q: 'x'.repeat(201) }, 'filter'],
        [{ format: 'csv', email: 'ada@contoso.test' }, 'email'],
      ];
      for (const [body, field] of cases) {
        const response = await writer.post('/api/v1/reports', body);
        expect([body, response.status]).toEqual([body, 422]);
        expect([body, Object.keys(problemOf(response).errors ?? {})]).toEqual([body, [field]]);
      }
      expect(await auditEvents(testApp, 'report.requested')).toEqual([]);
    });

    it('queues a report of the filter, says when it is ready, and streams its file', async () => {
      const asked = await writer.post('/api/v1/reports', { format: 'csv', status: 'none' }).expect(202);
      const report = asked.body as { id: number; status: string; url: string; fileUrl: string | null };
      expect(report).toMatchObject({ status: 'queued', filter: { status: 'none', q: '' }, fileUrl: null });
      expect(asked.headers.location).toBe(`/api/v1/reports/${report.id}`);
      expect(report.url).toBe(asked.headers.location);
      const [event] = await auditEvents(testApp, 'report.requested');
      expect(event).toMatchObject({ actor_type: 'token', actor_id: writerTokenId, subject_id: String(report.id) });

      const ready = await eventually(async () => {
        const status = (await reader.get(report.url).expect(200)).body as { status: string; fileUrl: string | null };
        return status.status === 'ready' ? status : undefined;
      });
      const none = await tenantsOfBroker({ status: 'none' });
      expect(ready).toMatchObject({ fileUrl: `${report.url}/file`, rowsTotal: none.length, error: null });
      const file = await binary(reader.get(ready.fileUrl!)).expect(200);
      expect(file.headers['content-type']).toMatch(/^text\/csv/);
      expect(file.headers['content-disposition']).toMatch(/^attachment; filename="mca-report-.*\.csv"$/);
      const csv = readCsv(file.body as Buffer);
      expect(csv.rows).toHaveLength(none.length);
      expect((await auditEvents(testApp, 'report.ready')).map((e) => e.subject_id)).toEqual([String(report.id)]);

      const xlsx = (await writer.post('/api/v1/reports', { format: 'xlsx' }).expect(202)).body as { url: string };
      await eventually(async () =>
        ((await reader.get(xlsx.url)).body as { status: string }).status === 'ready' ? true : undefined,
      );
      const sheet = await binary(reader.get(`${xlsx.url}/file`)).expect(200);
      expect(sheet.headers['content-type']).toMatch(/spreadsheetml/);
      expect((await readXlsx(sheet.body as Buffer)).rows).toHaveLength((await tenantsOfBroker()).length);

      // Another broker's token, an out-of-range id and a person's own report are not found here.
      expect(problemOf(await other.get(report.url).expect(404)).type).toBe('/api/v1/problems/not-found');
      await other.get(`${report.url}/file`).expect(404);
      await reader.get('/api/v1/reports/99999999999').expect(404);
    });

    it("refuses a file before the report is ready, and keeps a person's reports out of the API", async () => {
      // Rows as the services write them: one the API asked for, not built yet; one a person asked for, sent; one
      // whose requester was deleted since (the reference cleared, the recipient kept).
      const insert = (requestedBy: number | null, email = '') =>
        testApp.app.get(SqlService).transaction(async (tx) => {
          const reports = testApp.app.get(ReportsRepository);
          const row = await reports.insertRequest(tx, {
            brokerId,
            requestedBy,
            scheduleId: null,
            dueAt: null,
            email,
            format: 'csv',
            filter: '{"status":"all","q":""}',
            expiresAt: new Date(Date.now() + 86_400_000),
          });
          if (email) await reports.updateRequest(tx, row.id, { state: 'sent', fileSize: 0 });
          return row.id;
        });
      const queued = await insert(null);
      expect(((await reader.get(`/api/v1/reports/${queued}`).expect(200)).body as { status: string }).status).toBe(
        'queued',
      );
      const early = problemOf(await reader.get(`/api/v1/reports/${queued}/file`).expect(409));
      expect(early).toMatchObject({
        type: '/api/v1/problems/conflict',
        detail: 'This report is not ready yet: follow its status until it is "ready".',
      });
      for (const personal of [await insert(1, 'ada@contoso.test'), await insert(null, 'gone@contoso.test')]) {
        expect(problemOf(await reader.get(`/api/v1/reports/${personal}`).expect(404)).detail).toContain(
          'was not asked for through the API',
        );
        await reader.get(`/api/v1/reports/${personal}/file`).expect(404);
      }
    });
  });
});

describe('API sync without Partner Center settings', () => {
  it('is refused at once in the settings own words, as the page refuses it, with nothing queued', async () => {
    const testApp = await createTestApp({ env: { PARTNER_CENTER_MODE: 'live' } });
    try {
      const { agent } = await setUpFirstAdmin(testApp);
      expect((await postForm(agent, '/mca', '/sync', {})).headers.location).toBe('/mca');
      expect((await agent.get('/mca').expect(200)).text).toContain('Partner Center is not set up: an admin enters');
      const client = apiClient(testApp, await createApiToken(testApp, 1));
      const refused = problemOf(await client.post('/api/v1/sync').expect(409));
      expect(refused).toMatchObject({ type: '/api/v1/problems/conflict' });
      expect(refused.detail).toMatch(/^Partner Center is not set up/);
      expect(((await client.get('/api/v1/sync').expect(200)).body as { running: boolean }).running).toBe(false);
      expect(await auditEvents(testApp, 'sync.requested')).toEqual([]);
    } finally {
      await testApp.close();
      delete process.env.PARTNER_CENTER_MODE;
    }
  });
});
