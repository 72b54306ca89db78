import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { SyncRun } from '../../src/sync/sync-run.entity';
import { Tenant } from '../../src/tenants/tenant.entity';
import { SEARCH_MATCH_CAP } from '../../src/tenants/tenants.repository';
import { TENANT_STATUS_LABELS, type TenantStatus } from '../../src/tenants/tenant-status';
import { createUser, setUpFirstAdmin, signIn } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, createBroker, seedTenants } from '../support/tenants';

const names = (html: string): string[] =>
  [...html.matchAll(/<span class="tenant-name" dir="auto">([^<]*)<\/span>/g)].map((m) => m[1]);
const statuses = (html: string): string[] => [...html.matchAll(/<span class="status status-(\w+)">/g)].map((m) => m[1]);
const chipCount = (html: string, status: string): number =>
  Number(
    new RegExp(`id="chip-${status}"[^>]*>[^<]*<span class="chip-count">([\\d,]+)<`).exec(html)?.[1].replace(/,/g, ''),
  );
const rowOf = (html: string, name: string): string => {
  const start = html.indexOf(`<span class="tenant-name" dir="auto">${name}</span>`);
  if (start < 0) throw new Error(`No row for ${name}`);
  return html.slice(start, html.indexOf('</tr>', start));
};
const link = (html: string, id: string): string =>
  (new RegExp(`id="${id}" href="([^"]+)"`).exec(html)?.[1] ?? '').replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
const actionsOf = (html: string, name: string): string[] =>
  [...rowOf(html, name).matchAll(/data-action="(\w+)"/g)].map((m) => m[1]);

const grouped = (n: number): string => n.toLocaleString('en-GB');
const cappedName = (n: number): string => `Capped ${String(n).padStart(4, '0')}`;
const ID_OF_FABRIKAM = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
// The seeded tenants, in the list's default order (by name).
const BY_NAME = [
  'Adatum',
  'Contoso Ltd',
  'Contoso Pharma',
  'Fabrikam',
  'Northwind Traders',
  'Tailspin &lt;script&gt;alert(1)&lt;/script&gt;',
  'Woodgrove Bank',
  'Zeta Gone',
];

describe('MCA page', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;
  let tenants: Tenant[];

  beforeAll(async () => {
    testApp = await createTestApp();
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    tenants = await seedTenants(testApp, brokerId, [
      { name: 'Contoso Ltd', status: 'none' },
      { name: 'Contoso Pharma', status: 'pending', domain: 'contosopharma.onmicrosoft.com' },
      {
        name: 'Fabrikam',
        status: 'attested',
        acceptedAt: new Date('2025-03-01T10:00:00Z'),
        microsoftTenantId: ID_OF_FABRIKAM,
      },
      { name: 'Northwind Traders', status: 'direct', acceptedAt: new Date('2025-01-15T08:00:00Z') },
      { name: 'Tailspin <script>alert(1)</script>', status: 'none', domain: 'tailspin.example' },
      { name: 'Woodgrove Bank', status: 'pending', domain: 'woodgrovebank.com' },
      { name: 'Adatum', status: 'direct', acceptedAt: new Date('2024-06-01T12:00:00Z') },
      { name: 'Zeta Gone', status: 'none', removedAt: new Date('2025-05-01T00:00:00Z') },
    ]);
  });
  afterAll(() => testApp.close());

  describe('the page', () => {
    it('should ask a visitor to sign in first', async () => {
      const response = await request(testApp.server).get('/mca?status=none');
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/login?next=%2Fmca%3Fstatus%3Dnone');
    });

    it('should be linked from the navigation and show its path in the breadcrumbs', async () => {
      expect((await admin.get('/')).text).toContain('href="/mca"');
      const page = await admin.get('/mca');
      expect(page.status).toBe(200);
      expect(page.text).toMatch(
        /My Services<\/a><\/li>\s*<li><a href="\/">Microsoft 365 CSP Direct<\/a><\/li>\s*<li><a href="\/">Overview<\/a><\/li>\s*<li aria-current="page">Microsoft Customer Agreement<\/li>/,
      );
      expect(page.text).toContain('<h1>Microsoft Customer Agreement</h1>');
    });

    it('should list every tenant with its tenant id, domain, exact status label and acceptance', async () => {
      const page = await admin.get('/mca');
      expect(names(page.text)).toEqual(BY_NAME);
      const fabrikam = rowOf(page.text, 'Fabrikam');
      expect(fabrikam).toContain(ID_OF_FABRIKAM);
      expect(fabrikam).toContain('fabrikam.onmicrosoft.com');
      expect(fabrikam).toContain(`>${TENANT_STATUS_LABELS.attested}<`);
      expect(fabrikam).toContain(
        '<time datetime="2025-03-01T10:00:00.000Z">1 Mar 2025</time> <small class="muted">by partner attestation</small>',
      );
      expect(rowOf(page.text, 'Northwind Traders')).toContain('directly by the customer');
      for (const status of ['direct', 'pending', 'none'] as const)
        expect(page.text).toContain(`>${TENANT_STATUS_LABELS[status]}</span>`);
      expect(rowOf(page.text, 'Zeta Gone')).toContain('Removed from Partner Center');
    });

    it('should show HTML in a tenant name as text', async () => {
      const page = await admin.get('/mca?q=tailspin');
      expect(page.text).toContain('Tailspin &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).not.toContain('<script>alert(1)');
    });

    it('should isolate each name and domain, so that a right-to-left override in one cannot reorder the row', async () => {
      const page = await admin.get('/mca?q=tailspin');
      expect(page.text).toContain('<span class="tenant-name" dir="auto">Tailspin &lt;script&gt;');
      expect(page.text).toContain('<small class="tenant-domain" dir="auto">tailspin.example</small>');
    });

    it('should summarise the tenants still in Partner Center: a stacked bar, its legend and the compliance rate', async () => {
      const page = await admin.get('/mca');
      // 7 current tenants, 3 accepted (1 attested, 2 direct); the removed one is not counted.
      expect(page.text).toContain('<p class="mca-rate-value">42.9%</p>');
      expect(page.text).toContain('<strong>3</strong> of 7 tenants have accepted');
      expect(page.text).toMatch(/<svg [^>]*role="img" aria-labelledby="mca-bar-title"/);
      expect(page.text).toContain(
        'Acceptance provided (Attested): 1 (14.3%); Acceptance provided (Direct): 2 (28.6%); Attestation pending: 2 (28.6%); No acceptance provided: 2 (28.6%)',
      );
      expect(page.text).toContain('<rect class="fill-direct" x="142.86" y="0" width="285.71" height="20">');
      expect(page.text).toContain('1 tenant removed from Partner Center is still listed');
      expect(page.text).toContain('Not synced from Microsoft yet.');
    });
  });

  describe('filters', () => {
    it.each<[TenantStatus, string[]]>([
      ['attested', ['Fabrikam']],
      ['direct', ['Adatum', 'Northwind Traders']],
      ['pending', ['Contoso Pharma', 'Woodgrove Bank']],
      ['none', ['Contoso Ltd', 'Tailspin &lt;script&gt;alert(1)&lt;/script&gt;', 'Zeta Gone']],
    ])('should show only the %s tenants, with every chip counted', async (status, expected) => {
      const page = await admin.get(`/mca?status=${status}`);
      expect(names(page.text)).toEqual(expected);
      expect(new Set(statuses(page.text))).toEqual(new Set([status]));
      expect(page.text).toMatch(new RegExp(`id="chip-${status}"[^>]*aria-current="true"`));
      expect([
        chipCount(page.text, 'all'),
        chipCount(page.text, 'attested'),
        chipCount(page.text, 'direct'),
        chipCount(page.text, 'pending'),
        chipCount(page.text, 'none'),
      ]).toEqual([8, 1, 2, 2, 3]);
    });

    it('should link each chip to its filter, keeping the search and the order', async () => {
      const page = await admin.get('/mca?q=contoso&sort=date');
      expect(page.text).toContain(
        'id="chip-pending" class="chip chip-pending" href="/mca?status&#x3D;pending&amp;q&#x3D;contoso&amp;sort&#x3D;date"',
      );
    });
  });

  describe('search', () => {
    it.each([
      ['part of a name, in any case', 'NTOS', ['Contoso Ltd', 'Contoso Pharma']],
      ['part of a domain', 'grovebank.c', ['Woodgrove Bank']],
      ['part of a tenant id', '41d3-9a0c', ['Fabrikam']],
      ['the start of a name, for a term too short for trigrams', 'no', ['Northwind Traders']],
      ['the start of a name only, for a one-letter term', 'F', ['Fabrikam']],
    ])('should find tenants by %s', async (_what, q, expected) => {
      const page = await admin.get(`/mca?q=${encodeURIComponent(q)}`);
      expect(names(page.text)).toEqual(expected);
      expect(page.text).toContain(`value="${q}"`);
    });

    it('should count each status among the results only', async () => {
      const page = await admin.get('/mca?q=contoso');
      expect([
        chipCount(page.text, 'all'),
        chipCount(page.text, 'pending'),
        chipCount(page.text, 'none'),
        chipCount(page.text, 'direct'),
      ]).toEqual([2, 1, 1, 0]);
    });

    it('should combine the search with a filter', async () => {
      expect(names((await admin.get('/mca?q=contoso&status=pending')).text)).toEqual(['Contoso Pharma']);
    });

    it('should treat wildcards and quotes as plain text', async () => {
      for (const q of ['%', '_', '"', '%%%', 'a"b', '*']) {
        const page = await admin.get(`/mca?q=${encodeURIComponent(q)}`);
        expect(page.status).toBe(200);
        expect(names(page.text)).toEqual([]);
      }
    });

    it('should say so when nothing matches, and offer to clear the search', async () => {
      const page = await admin.get('/mca?q=nothing-like-this&status=none');
      expect(page.text).toContain('No tenant matches “nothing-like-this” with status “No acceptance provided”');
      expect(page.text).toContain('href="/mca?status&#x3D;none"');
      expect(page.text).not.toContain('<table');
    });
  });

  describe('sort', () => {
    it('should sort by name in both directions', async () => {
      const ascending = names((await admin.get('/mca?sort=name&dir=asc')).text);
      expect(ascending).toEqual(BY_NAME);
      expect(names((await admin.get('/mca?sort=name&dir=desc')).text)).toEqual([...ascending].reverse());
    });

    it('should sort by status, those needing attention first, then by name', async () => {
      const page = await admin.get('/mca?sort=status');
      expect(statuses(page.text)).toEqual([
        'none',
        'none',
        'none',
        'pending',
        'pending',
        'direct',
        'direct',
        'attested',
      ]);
      expect(names(page.text).slice(0, 2)).toEqual(['Contoso Ltd', 'Tailspin &lt;script&gt;alert(1)&lt;/script&gt;']);
      expect(statuses((await admin.get('/mca?sort=status&dir=desc')).text)[0]).toBe('attested');
    });

    it('should sort by acceptance date, newest first by default, a tenant without a date as the oldest', async () => {
      expect(names((await admin.get('/mca?sort=date')).text).slice(0, 4)).toEqual([
        'Fabrikam',
        'Northwind Traders',
        'Adatum',
        'Zeta Gone',
      ]);
      expect(names((await admin.get('/mca?sort=date&dir=asc')).text).slice(0, 2)).toEqual([
        'Contoso Ltd',
        'Contoso Pharma',
      ]);
    });

    it('should mark the sorted column and link its header to the other direction', async () => {
      const page = await admin.get('/mca?sort=date');
      expect(page.text).toContain(
        '<th scope="col" aria-sort="descending"><a id="sort-date" href="/mca?sort&#x3D;date&amp;dir&#x3D;asc"',
      );
    });
  });

  describe('pages', () => {
    let otherBroker: number;
    let viewer: TestAgent;

    beforeAll(async () => {
      otherBroker = await createBroker(testApp, 'Paging Partner');
      await createUser(testApp, otherBroker, 'pat@paging.test', 'viewer', 'Pat Pager');
      viewer = (await signIn(testApp, 'pat@paging.test')).agent;
      await seedTenants(
        testApp,
        otherBroker,
        Array.from({ length: 57 }, (_, i) => ({
          name: `Customer ${String(i + 1).padStart(2, '0')}`,
          status: i % 3 === 0 ? 'pending' : 'none',
        })),
      );
    });

    it('should page on the server with the chosen page size', async () => {
      const page = await viewer.get('/mca?size=10&page=2');
      expect(names(page.text)).toEqual(
        Array.from({ length: 10 }, (_, i) => `Customer ${String(i + 11).padStart(2, '0')}`),
      );
      expect(page.text).toContain('Showing <strong>11–20 of 57</strong> tenants');
      expect(page.text).toContain('href="/mca?page&#x3D;3&amp;size&#x3D;10"');
      expect(page.text).toContain('<option value="10" selected>');
    });

    it('should give the same rows near the end as reading from the start', async () => {
      expect(names((await viewer.get('/mca?size=10&page=6')).text)).toEqual([
        'Customer 51',
        'Customer 52',
        'Customer 53',
        'Customer 54',
        'Customer 55',
        'Customer 56',
        'Customer 57',
      ]);
      expect(names((await viewer.get('/mca?size=10&page=5&dir=desc')).text)).toEqual([
        'Customer 17',
        'Customer 16',
        'Customer 15',
        'Customer 14',
        'Customer 13',
        'Customer 12',
        'Customer 11',
        'Customer 10',
        'Customer 09',
        'Customer 08',
      ]);
      expect(names((await viewer.get('/mca?size=10&page=2&status=pending')).text)).toEqual([
        'Customer 31',
        'Customer 34',
        'Customer 37',
        'Customer 40',
        'Customer 43',
        'Customer 46',
        'Customer 49',
        'Customer 52',
        'Customer 55',
      ]);
    });

    it('should link Next and Previous from the rows shown (keyset), giving the same rows as the page numbers', async () => {
      for (const order of [
        'size=10',
        'size=10&dir=desc',
        'size=10&sort=status',
        'size=10&sort=status&dir=desc',
        'size=10&status=none',
      ]) {
        const page3 = await viewer.get(`/mca?${order}&page=3`);
        const next = link(page3.text, 'page-next');
        const prev = link(page3.text, 'page-prev');
        expect(next).toMatch(/&after=\d+$/);
        expect(prev).toMatch(/&before=\d+$/);
        expect(names((await viewer.get(next)).text)).toEqual(names((await viewer.get(`/mca?${order}&page=4`)).text));
        expect(names((await viewer.get(prev)).text)).toEqual(names((await viewer.get(`/mca?${order}&page=2`)).text));
      }
    });

    it("should start the page at its cursor's row, whatever its number", async () => {
      const afterCustomer40 = /after=\d+/.exec(link((await viewer.get('/mca?size=10&page=4')).text, 'page-next'))?.[0];
      expect(names((await viewer.get(`/mca?size=10&page=2&${afterCustomer40}`)).text)[0]).toBe('Customer 41');
    });

    it("should read a page by its number when its cursor is not one of the broker's rows", async () => {
      const otherBrokersRow = tenants[0].id;
      expect(names((await viewer.get(`/mca?size=10&page=3&after=${otherBrokersRow}`)).text)).toEqual(
        names((await viewer.get('/mca?size=10&page=3')).text),
      );
      expect(names((await viewer.get('/mca?size=10&page=3&after=99999999')).text)[0]).toBe('Customer 21');
    });

    it('should page a search and the date order by number only', async () => {
      expect(link((await viewer.get('/mca?size=10&q=customer')).text, 'page-next')).toBe(
        '/mca?q=customer&page=2&size=10',
      );
      expect(link((await viewer.get('/mca?size=10&sort=date')).text, 'page-next')).toBe(
        '/mca?sort=date&page=2&size=10',
      );
    });

    it('should show the last page for a page past the end', async () => {
      expect(names((await viewer.get('/mca?size=50&page=999')).text)).toHaveLength(7);
    });

    it('should keep each broker to its own tenants, counts and search', async () => {
      const page = await viewer.get('/mca?q=contoso');
      expect(names(page.text)).toEqual([]);
      expect(chipCount(page.text, 'all')).toBe(0);
      expect(chipCount((await viewer.get('/mca')).text, 'all')).toBe(57);
      expect(chipCount((await admin.get('/mca')).text, 'all')).toBe(8);
    });

    it('should give a viewer no action that changes anything', async () => {
      const page = await viewer.get('/mca?status=pending');
      expect(actionsOf(page.text, 'Customer 01')).toEqual(['view', 'agreement', 'acceptance']);
      expect(actionsOf((await viewer.get('/mca?status=none')).text, 'Customer 02')).toEqual(['acceptance']);
    });
  });

  describe('a search with more matches than the cap', () => {
    let viewer: TestAgent;

    beforeAll(async () => {
      const broker = await createBroker(testApp, 'Many Partner');
      await createUser(testApp, broker, 'max@many.test', 'viewer', 'Max Many');
      viewer = (await signIn(testApp, 'max@many.test')).agent;
      // Added in the opposite order of their names: the first matches found (the oldest) are the last by name.
      const count = SEARCH_MATCH_CAP + 5;
      await seedTenants(
        testApp,
        broker,
        Array.from({ length: count }, (_, i) => ({
          name: cappedName(count - i),
          status: i % 2 === 0 ? 'pending' : 'none',
        })),
      );
    });

    it('should count, filter, order and page the first matches only, and say so', async () => {
      const page = await viewer.get('/mca?q=capped');
      expect(chipCount(page.text, 'all')).toBe(SEARCH_MATCH_CAP);
      expect(chipCount(page.text, 'pending')).toBe(SEARCH_MATCH_CAP / 2);
      expect(names(page.text)[0]).toBe('Capped 0006');
      expect(page.text).toContain(`Showing <strong>1–25 of ${grouped(SEARCH_MATCH_CAP)}</strong> tenants`);
      expect(page.text).toContain(
        `The search stops at the first ${grouped(SEARCH_MATCH_CAP)} matches: add to it to narrow them down.`,
      );
      const pending = SEARCH_MATCH_CAP / 2;
      const last = await viewer.get('/mca?q=capped&page=99&status=pending');
      expect(last.text).toContain(
        `Showing <strong>${grouped(pending - 24)}–${grouped(pending)} of ${grouped(pending)}</strong> tenants`,
      );
      expect(names(last.text).at(-1)).toBe(cappedName(SEARCH_MATCH_CAP + 5));
      expect((await viewer.get('/mca?q=capped&page=99')).text).toContain(
        `Showing <strong>${grouped(SEARCH_MATCH_CAP - 24)}–${grouped(SEARCH_MATCH_CAP)} of ${grouped(SEARCH_MATCH_CAP)}</strong> tenants`,
      );
    });

    it('should read the first matches of a short term in the order of names', async () => {
      const page = await viewer.get('/mca?q=ca&dir=desc');
      expect(chipCount(page.text, 'all')).toBe(SEARCH_MATCH_CAP);
      expect(names(page.text)[0]).toBe(cappedName(SEARCH_MATCH_CAP));
      expect(page.text).toContain(`The search stops at the first ${grouped(SEARCH_MATCH_CAP)} matches`);
    });

    it('should find the rest with a narrower search, without the note', async () => {
      const page = await viewer.get('/mca?q=capped+000');
      expect(names(page.text)).toEqual([
        'Capped 0001',
        'Capped 0002',
        'Capped 0003',
        'Capped 0004',
        'Capped 0005',
        'Capped 0006',
        'Capped 0007',
        'Capped 0008',
        'Capped 0009',
      ]);
      expect(page.text).not.toContain('The search stops');
    });
  });

  describe('actions', () => {
    it.each<[string, string[]]>([
      ['Contoso Ltd', ['create', 'acceptance']],
      ['Contoso Pharma', ['create', 'view', 'agreement', 'finalize', 'acceptance']],
      ['Fabrikam', ['create', 'acceptance']],
      ['Northwind Traders', ['create', 'acceptance']],
      ['Zeta Gone', ['acceptance']],
    ])('should offer %s exactly what its state allows', async (name, expected) => {
      expect(actionsOf((await admin.get('/mca')).text, name)).toEqual(expected);
    });

    it('should link to the attestation pages, the agreement in a new tab, in a menu that works without JavaScript', async () => {
      const id = tenants[1].id;
      const row = rowOf((await admin.get('/mca')).text, 'Contoso Pharma');
      expect(row).toContain('<details class="dropdown row-menu" data-menu>');
      expect(row).toContain(
        '<summary class="secondary outline">Actions<span class="visually-hidden"> for Contoso Pharma</span></summary>',
      );
      expect(row).toContain(`href="/tenants/${id}/attestations/new"`);
      expect(row).toContain(`href="/tenants/${id}/attestation"`);
      expect(row).toContain(
        `href="/tenants/${id}/attestation/agreement" data-action="agreement" target="_blank" rel="noopener"`,
      );
      expect(row).toContain(`href="/tenants/${id}/attestation/finalize"`);
    });
  });

  describe('htmx', () => {
    it('should answer an htmx request with the results only: the counts and the table', async () => {
      const fragment = await admin.get('/mca?status=pending').set('HX-Request', 'true');
      expect(fragment.status).toBe(200);
      expect(fragment.headers.vary).toMatch(/HX-Request/);
      expect(fragment.text).not.toContain('<html');
      expect(fragment.text).not.toContain('mca-summary');
      expect(fragment.text).toContain('class="mca-chips"');
      expect(names(fragment.text)).toEqual(['Contoso Pharma', 'Woodgrove Bank']);
      expect(fragment.text).toContain('<input type="hidden" name="status" value="pending" form="mca-filters">');
    });

    it('should answer a history restore with the full page', async () => {
      const page = await admin
        .get('/mca?status=pending')
        .set('HX-Request', 'true')
        .set('HX-History-Restore-Request', 'true');
      const full = await admin.get('/mca?status=pending');
      // The same page as a plain request's, but for the instant each was loaded at.
      const loadedAt = /Loaded at <time datetime="[^"]+">[^<]+<\/time>/;
      expect(page.text).toMatch(loadedAt);
      expect(page.text.replace(loadedAt, '')).toBe(full.text.replace(loadedAt, ''));
    });
  });

  describe('rows that wait', () => {
    let waiting: TestAgent;
    let seeded: Record<string, Tenant>;
    const rowIds = (html: string): string[] => [...html.matchAll(/<tr id="(tenant-\d+)"/g)].map((m) => m[1]);
    const refreshing = (html: string): string[] =>
      [...html.matchAll(/<tr id="tenant-\d+"[^>]* data-refresh[ >]/g)].map(
        (m) => /data-state="([^:]*):/.exec(m[0])![1],
      );
    const rowsOf = (agent: TestAgent, ...ids: (number | string)[]) =>
      agent.get(`/mca/rows?${ids.map((id) => `id=${id}`).join('&')}`);

    beforeAll(async () => {
      const broker = await createBroker(testApp, 'Waiting Partner');
      await createUser(testApp, broker, 'wes@waiting.test', 'operator', 'Wes Waiting');
      waiting = (await signIn(testApp, 'wes@waiting.test')).agent;
      const list = await seedTenants(testApp, broker, [
        { name: 'Awaiting Co', status: 'pending', attestationState: 'awaiting_acceptance' },
        { name: 'Ready Co', status: 'pending', attestationState: 'accepted' },
        { name: 'Expired Co', status: 'pending', attestationState: 'expired' },
        { name: 'Failed Co', status: 'pending', attestationState: 'finalize_failed' },
        { name: 'Plain Co', status: 'none' },
        { name: 'Done Co', status: 'attested', attestationState: 'finalized' },
        { name: 'Gone Co', status: 'pending', attestationState: 'awaiting_acceptance', removedAt: new Date() },
      ]);
      seeded = Object.fromEntries(list.map((tenant) => [tenant.name, tenant]));
    });

    it('should mark the rows the app may move on by itself, and only those', async () => {
      const page = await waiting.get('/mca');
      expect(rowIds(page.text)).toHaveLength(7);
      expect(refreshing(page.text)).toEqual(['Awaiting Co', 'Ready Co']);
    });

    it('should answer the rows asked for with the same row markup as the list, and the summary out of band', async () => {
      const page = await waiting.get('/mca');
      const rows = await rowsOf(waiting, seeded['Ready Co'].id, seeded['Awaiting Co'].id);
      expect(rows.status).toBe(200);
      expect(rows.text).not.toContain('<html');
      expect(rowIds(rows.text)).toEqual([`tenant-${seeded['Awaiting Co'].id}`, `tenant-${seeded['Ready Co'].id}`]);
      const fromRows = rows.text.slice(rows.text.indexOf('<tr'), rows.text.indexOf('</tr>') + 5);
      const fromPage = page.text.slice(page.text.indexOf(`<tr id="tenant-${seeded['Awaiting Co'].id}"`));
      expect(fromRows.replace(' hx-swap-oob="true"', '')).toBe(fromPage.slice(0, fromPage.indexOf('</tr>') + 5));
      expect(rows.text).toMatch(/<tr id="tenant-\d+"[^>]* hx-swap-oob="true">/);
      expect(rows.text).toMatch(/<div id="acceptance-summary" hx-swap-oob="true">\s*<section class="mca-summary"/);
      expect(rows.text).toContain('<p class="mca-rate-value">16.7%</p>');
    });

    it('should show what the app learnt since the page was loaded: the row and the compliance rate', async () => {
      const repo = testApp.app.get(DataSource).getRepository(Tenant);
      const { id } = seeded['Awaiting Co'];
      await repo.update(id, { attestationState: 'accepted' });
      expect(rowOf((await rowsOf(waiting, id)).text, 'Awaiting Co')).toContain(
        '<small class="attestation-wait">Ready to finalize</small>',
      );
      await repo.update(id, { status: 'attested', attestationState: 'finalized', acceptedAt: new Date() });
      const rows = await rowsOf(waiting, id);
      expect(rowOf(rows.text, 'Awaiting Co')).toContain('<span class="status status-attested">');
      expect(rows.text).not.toMatch(/ data-refresh[ >]/);
      expect(rows.text).toContain('<p class="mca-rate-value">33.3%</p>');
      await repo.update(id, { status: 'pending', attestationState: 'awaiting_acceptance', acceptedAt: null });
    });

    it("should keep each broker to its own rows: another broker's ids name none", async () => {
      const mine = seeded['Ready Co'].id;
      const theirs = tenants[0].id;
      const rows = await rowsOf(waiting, theirs, mine);
      expect(rows.status).toBe(200);
      expect(rowIds(rows.text)).toEqual([`tenant-${mine}`]);
      expect(rows.text).not.toContain(tenants[0].name);
      const none = await rowsOf(waiting, theirs);
      expect(none.status).toBe(404);
      expect(none.text).not.toContain(tenants[0].name);
    });

    it.each([
      ['no id', ''],
      ['a word', 'id=abc'],
      ['zero', 'id=0'],
      ['a negative id', 'id=-1'],
      ['a list in one parameter', 'id=1,2'],
      ['an id past 32 bits', 'id=99999999999'],
      ['a nested parameter', 'id[a]=1'],
      ['more ids than a page holds', Array.from({ length: 101 }, (_, i) => `id=${i + 1}`).join('&')],
    ])('should refuse %s with a 400 page, never a 500', async (_, params) => {
      const rows = await waiting.get(`/mca/rows?${params}`);
      expect(rows.status).toBe(400);
      expect(rows.text).toContain('Ask for 1 to 100 tenants by id');
    });

    it('should ask a visitor to sign in first', async () => {
      const rows = await request(testApp.server).get(`/mca/rows?id=${seeded['Ready Co'].id}`);
      expect(rows.status).toBe(303);
    });

    it('should say when a page was loaded and link to the same page again, for a browser without JavaScript', async () => {
      const before = Date.now();
      const page = await waiting.get('/mca?status=pending&sort=status');
      const loaded =
        /<noscript><p class="mca-loaded" id="mca-loaded">Loaded at <time datetime="([^"]+)">(\d\d:\d\d) UTC<\/time> · <a href="([^"]+)">Reload<\/a><\/p><\/noscript>/.exec(
          page.text,
        );
      expect(loaded).not.toBeNull();
      const at = new Date(loaded![1]);
      expect(at.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(at.getTime()).toBeLessThanOrEqual(Date.now());
      expect(loaded![2]).toBe(at.toISOString().slice(11, 16));
      expect(loaded![3].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')).toBe('/mca?status=pending&sort=status');
    });
  });

  describe('bad query parameters', () => {
    it.each([
      'status=unknown',
      'page=0',
      'page=-3',
      'page=abc',
      'size=7',
      'sort=foo',
      'dir=sideways',
      'status=none&status=pending',
      'q[a]=b',
      'page=99999999999999999999',
    ])('should fall back to the defaults for %s', async (params) => {
      const page = await admin.get(`/mca?${params}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('class="mca-table');
    });

    it('should refuse a search too long to be typed with a 400 page', async () => {
      const page = await admin.get(`/mca?q=${'x'.repeat(10_000)}`);
      expect(page.status).toBe(400);
      expect(page.text).toContain('Search for at most 200 characters.');
    });
  });

  describe('empty states and sync', () => {
    let newcomer: TestAgent;
    let emptyBroker: number;

    beforeAll(async () => {
      emptyBroker = await createBroker(testApp, 'Empty Partner');
      await createUser(testApp, emptyBroker, 'eve@empty.test', 'operator', 'Eve Empty');
      newcomer = (await signIn(testApp, 'eve@empty.test')).agent;
    });

    it('should explain an empty list and offer one button for the sync', async () => {
      const page = await newcomer.get('/mca');
      expect(page.text).toContain('No tenants yet');
      expect(page.text.match(/<form method="post" action="\/sync"/g)).toHaveLength(1);
      expect(page.text).toContain('Press <strong>Refresh from Microsoft</strong> above to read them now.');
      expect(page.text).not.toContain('mca-summary');
    });

    it('should show a failed last sync with the time of the last success', async () => {
      const runs = testApp.app.get(DataSource).getRepository(SyncRun);
      const base = { brokerId: emptyBroker, triggeredBy: 'manual' as const, owner: 'test', processed: 0 };
      await runs.save(
        runs.create({
          ...base,
          status: 'succeeded',
          startedAt: new Date('2026-11-20T09:00:00Z'),
          heartbeatAt: new Date('2026-11-20T09:01:00Z'),
          finishedAt: new Date('2026-11-20T09:01:00Z'),
        }),
      );
      await runs.save(
        runs.create({
          ...base,
          status: 'failed',
          startedAt: new Date('2026-11-21T09:00:00Z'),
          heartbeatAt: new Date('2026-11-21T09:00:30Z'),
          finishedAt: new Date('2026-11-21T09:00:30Z'),
          error: 'Partner Center refused the credentials',
        }),
      );
      const page = await newcomer.get('/mca');
      expect(page.text).toContain('The last sync from Microsoft failed');
      expect(page.text).toContain('Partner Center refused the credentials');
      expect(page.text).toContain('20 Nov 2026, 09:01 UTC');
    });
  });

  describe('status counts', () => {
    it('should stay equal to the tenants whoever writes them: insert, update, remove, delete', async () => {
      const dataSource = testApp.app.get(DataSource);
      const repo = dataSource.getRepository(Tenant);
      const [created] = await seedTenants(testApp, brokerId, [{ name: 'Counted', status: 'none' }]);
      await repo.update({ id: created.id }, { status: 'pending' });
      await repo.update({ id: tenants[0].id }, { status: 'attested', acceptedAt: new Date() });
      await repo.update({ id: tenants[7].id }, { removedAt: null });
      await repo.update({ id: tenants[3].id }, { name: 'Northwind Renamed' });
      await repo.delete({ id: tenants[5].id });
      await dataSource.query(`UPDATE tenants SET removed_at = created_at WHERE id = ${tenants[6].id}`);

      const actual = await dataSource.query<{ status: string; removed: boolean | number; n: number | string }[]>(
        `SELECT status, removed_at IS NOT NULL AS removed, count(*) AS n FROM tenants WHERE broker_id = ${brokerId} GROUP BY status, removed_at IS NOT NULL`,
      );
      const kept = await dataSource.query<
        { status: string; removed: boolean | number; tenant_count: number | string }[]
      >(
        `SELECT status, removed, tenant_count FROM tenant_status_counts WHERE broker_id = ${brokerId} AND tenant_count > 0`,
      );
      const normalise = (rows: { status: string; removed: boolean | number; count: number | string }[]) =>
        rows.map((r) => `${r.status}/${Boolean(Number(r.removed))}/${Number(r.count)}`).sort();
      expect(normalise(kept.map((r) => ({ ...r, count: r.tenant_count })))).toEqual(
        normalise(actual.map((r) => ({ ...r, count: r.n }))),
      );

      const page = await admin.get('/mca');
      expect(chipCount(page.text, 'all')).toBe(8);
      expect(chipCount(page.text, 'pending')).toBe(2);
      expect(names((await admin.get('/mca?q=renamed')).text)).toEqual(['Northwind Renamed']);
      expect(names((await admin.get('/mca?q=woodgrove')).text)).toEqual([]);
    });
  });
});
