import type TestAgent from 'supertest/lib/agent';
import { createAttestation, syncTenants } from '../support/attestations';
import { postForm, setUpFirstAdmin } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

const HOME = ['My Services (/)', 'Microsoft 365 CSP Direct (/)', 'Overview (/)'];
const MCA = 'Microsoft Customer Agreement (/mca)';
const REPORTS = 'MCA reports (/reports)';

// The page's breadcrumb trail: each link as "label (href)", the current page as its label alone.
function trailOf(html: string): string[] {
  const nav = /<nav aria-label="Breadcrumb"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...nav.matchAll(/<li(?: aria-current="page")?>(?:<a href="([^"]*)">)?(.*?)(?:<\/a>)?<\/li>/g)].map(
    ([, href, label]) => (href === undefined ? label : `${label} (${href})`),
  );
}

const mainHeadings = (html: string): string[] =>
  [...html.matchAll(/<h1[^>]*>([\s\S]*?)<\/h1>/g)].map(([, text]) => text.replace(/<[^>]+>/g, '').trim());

describe('Breadcrumbs and main headings of the pages reached from the MCA page', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let open: { id: number; name: string };
  let fresh: { id: number; name: string };

  beforeAll(async () => {
    testApp = await createTestApp({ listen: true });
    admin = (await setUpFirstAdmin(testApp)).agent;
    const [first, second] = (await syncTenants(testApp, admin)).filter((t) => t.status === 'none');
    open = first;
    fresh = second;
    expect((await createAttestation(admin, open.id)).status).toBe(303);
    const saved = await postForm(admin, '/reports/schedules/new', '/reports/schedules', {
      name: 'Daily to Ada',
      frequency: 'daily',
      weekday: '1',
      dayOfMonth: '1',
      time: '07:00',
      timeZone: 'UTC',
      recipients: 'ada@contoso.test',
      format: 'csv',
      status: 'all',
    });
    expect(saved.status).toBe(303);
  });
  afterAll(() => testApp.close());

  const attestationOf = (t: { id: number; name: string }) => `Attestation for ${t.name} (/tenants/${t.id}/attestation)`;

  // Each page: its path, the trail between the MCA page and itself, its main heading (null: checked elsewhere).
  const pages: [string, () => [string, string[], string | null]][] = [
    ['the create-attestation form', () => [`/tenants/${fresh.id}/attestations/new`, [MCA], 'Create attestation']],
    ['create attestation with one open', () => [`/tenants/${open.id}/attestations/new`, [MCA], 'Create attestation']],
    ['the attestation', () => [`/tenants/${open.id}/attestation`, [MCA], `Attestation for ${open.name}`]],
    [
      'finalize',
      () => [
        `/tenants/${open.id}/attestation/finalize`,
        [MCA, attestationOf(open)],
        `Finalize the attestation for ${open.name}`,
      ],
    ],
    [
      'cancel',
      () => [
        `/tenants/${open.id}/attestation/cancel`,
        [MCA, attestationOf(open)],
        `Cancel the attestation for ${open.name}`,
      ],
    ],
    ['the record', () => [`/tenants/${open.id}/attestation/record`, [MCA, attestationOf(open)], null]],
    ['the report form', () => ['/reports', [MCA], 'MCA reports']],
    ['recent reports', () => ['/reports/recent', [MCA, REPORTS], 'Recent reports']],
    ['scheduled reports', () => ['/reports/schedules', [MCA, REPORTS], 'Scheduled reports']],
    [
      'a new schedule',
      () => [
        '/reports/schedules/new',
        [MCA, REPORTS, 'Scheduled reports (/reports/schedules)'],
        'New scheduled report',
      ],
    ],
  ];

  it.each(pages)(
    'should lead %s back through the Microsoft Customer Agreement, under one main heading',
    async (_, of) => {
      const [path, trail, heading] = of();
      const page = await admin.get(path);
      expect(page.status).toBe(200);
      const crumbs = trailOf(page.text);
      expect(crumbs.slice(0, -1)).toEqual([...HOME, ...trail]);
      expect(crumbs.at(-1)).toBe(/<title>(.*) · MCA Manager<\/title>/.exec(page.text)?.[1]);
      const headings = mainHeadings(page.text);
      expect(headings).toHaveLength(1);
      if (heading) expect(headings[0]).toBe(heading);
    },
  );

  it('should keep the trail and the main heading when a form comes back with errors (no JavaScript)', async () => {
    const attestation = await postForm(
      admin,
      `/tenants/${fresh.id}/attestations/new`,
      `/tenants/${fresh.id}/attestations`,
      {
        requestToken: 'not-a-token',
      },
    );
    const schedule = await postForm(admin, '/reports/schedules/new', '/reports/schedules', { name: '' });
    const report = await postForm(admin, '/reports', '/reports', { email: 'not an address', format: 'csv' });
    for (const [response, trail, heading] of [
      [attestation, [MCA], 'Create attestation'],
      [schedule, [MCA, REPORTS, 'Scheduled reports (/reports/schedules)'], 'New scheduled report'],
      [report, [MCA], 'MCA reports'],
    ] as const) {
      expect(response.status).toBe(422);
      expect(trailOf(response.text).slice(0, -1)).toEqual([...HOME, ...trail]);
      expect(mainHeadings(response.text)).toEqual([heading]);
    }
  });

  it('should leave the main heading to the MCA page when the create form and recent reports come as fragments', async () => {
    const form = await admin.get(`/tenants/${fresh.id}/attestations/new`).set('HX-Request', 'true');
    expect(form.text).not.toContain('<nav');
    expect(mainHeadings(form.text)).toEqual([]);
    expect(form.text).toMatch(/<h2 id="attestation-title">Create attestation<\/h2>/);
    const recent = await admin.get('/reports/recent').set('HX-Request', 'true');
    expect(recent.text).toMatch(/^<div id="recent-reports-list"/);
    expect(mainHeadings(recent.text)).toEqual([]);
  });
});
