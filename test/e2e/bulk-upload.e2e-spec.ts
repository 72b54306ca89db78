import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { BulkAttestationsRepository } from '../../src/bulk-attestations/bulk-attestations.repository';
import { BATCH_COLUMNS } from '../../src/bulk-attestations/batch-template';
import { FILE_TOO_LARGE, NOT_A_SPREADSHEET, TOO_MANY_ROWS } from '../../src/bulk-attestations/spreadsheet-reader';
import { createUser, csrfTokenFrom, setUpFirstAdmin, signIn } from '../support/http';
import { readCsv, readXlsx } from '../support/report-files';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, createBroker, seedTenants } from '../support/tenants';
import type { Tenant } from '../../src/tenants/tenant.entity';

const HEADER = BATCH_COLUMNS.map((column) => column.header);
const FORMULA_NAME = '=cmd|" /C calc"!A0';

const decode = (html: string): string =>
  html
    .replace(/&amp;/g, '&')
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

// The preview's text of one row's result cell.
const resultOf = (html: string, rowNumber: number): string => {
  const row = new RegExp(`<tr id="row-${rowNumber}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
  const cell = /data-label="Result">([\s\S]*?)<\/td>/.exec(row)?.[1] ?? '';
  return decode(
    cell
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .replace(/ :/g, ':')
      .trim(),
  );
};

const countsOf = (html: string) => ({
  create: /id="count-create">([\d,]+)</.exec(html)?.[1],
  skip: /id="count-skip">([\d,]+)</.exec(html)?.[1],
  errors: /id="count-errors">([\d,]+)</.exec(html)?.[1],
});

describe('Bulk attestation: upload, template, selection and preview', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;
  let fresh: Tenant[];
  let accepted: Tenant;
  let open: Tenant;
  let formulaTenant: Tenant;
  let foreign: Tenant;

  const upload = async (content: Buffer, name: string) => {
    const page = await admin.get('/attestation-batches/new').expect(200);
    return admin.post('/attestation-batches').field('_csrf', csrfTokenFrom(page.text)).attach('file', content, name);
  };

  // An upload that makes a draft: its preview page.
  const previewOf = async (content: Buffer, name: string) => {
    const response = await upload(content, name);
    expect(response.status).toBe(303);
    const location = response.headers.location as string;
    expect(location).toMatch(/^\/attestation-batches\/\d+\/preview$/);
    return { location, html: (await admin.get(location).expect(200)).text, id: Number(location.split('/')[2]) };
  };

  const download = (url: string) =>
    admin
      .get(url)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);

  const row = (tenantId: string, changes: Record<string, string> = {}): string[] => {
    const values: Record<string, string> = {
      'Microsoft tenant ID': tenantId,
      'Company name': '',
      'Signatory first name': 'Grace',
      'Signatory last name': 'Hopper',
      'Signatory email': 'grace@customer.test',
      'Signatory phone (optional)': '',
      'Country (e.g. US or United States)': 'US',
      'Language (e.g. en-US)': 'en-US',
      'Auto-finalize (Yes or No)': 'yes',
      ...changes,
    };
    return HEADER.map((header) => values[header]);
  };

  beforeAll(async () => {
    testApp = await createTestApp();
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = await brokerIdOf(testApp, 'ada@contoso.test');
    fresh = await seedTenants(
      testApp,
      brokerId,
      Array.from({ length: 130 }, (_, i) => ({ name: `Fresh ${String(i).padStart(3, '0')}`, status: 'none' as const })),
    );
    [accepted, open, formulaTenant] = await seedTenants(testApp, brokerId, [
      { name: 'Accepted Co', status: 'attested' },
      { name: 'Open Co', status: 'pending', attestationState: 'awaiting_acceptance' },
      { name: FORMULA_NAME, status: 'none' },
    ]);
    const other = await createBroker(testApp, 'Other Partner');
    [foreign] = await seedTenants(testApp, other, [{ name: 'Not yours', status: 'none' }]);
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should read a UTF-8 CSV with a BOM, semicolons, a quoted line break, a formula and empty rows', async () => {
    const lines = [
      HEADER.join(';'),
      row(fresh[0].microsoftTenantId, { 'Company name': '"Contoso\nEurope"' }).join(';'),
      '',
      ';;;;;;;;',
      row(fresh[1].microsoftTenantId, { 'Signatory first name': '=HYPERLINK("http://evil.test")' }).join(';'),
      row(fresh[2].microsoftTenantId.toUpperCase(), { 'Country (e.g. US or United States)': 'Germany' }).join(';'),
    ];
    const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n'))]);
    const { html, id } = await previewOf(content, 'tenants.csv');
    expect(countsOf(html)).toEqual({ create: '2', skip: '0', errors: '1' });
    expect(html).toContain('tenants.csv');
    // The quoted line break stays in its cell (the rows after it are read in place), and the form refuses it there.
    expect(resultOf(html, 2)).toBe(
      'Error Company name: The company name cannot contain line breaks, control characters or text-direction overrides',
    );
    // A formula is text like any other (the single form takes it too): kept as written, never evaluated.
    expect(resultOf(html, 5)).toBe('Will create');
    expect(resultOf(html, 6)).toBe('Will create');
    const rows = await testApp.app.get(BulkAttestationsRepository).rowsOf(id);
    expect(rows.map((r) => [r.rowNumber, r.status])).toEqual([
      [2, 'invalid'],
      [5, 'pending'],
      [6, 'pending'],
    ]);
    expect(rows[0].companyName).toBe('Contoso\nEurope');
    expect(rows[1].signatoryFirstName).toBe('=HYPERLINK("http://evil.test")');
    expect(rows[2]).toMatchObject({
      tenantId: fresh[2].id,
      country: 'DE',
      microsoftTenantId: fresh[2].microsoftTenantId,
    });
    const batch = await testApp.app.get(BulkAttestationsRepository).findBatch(brokerId, id);
    expect(batch).toMatchObject({
      status: 'draft',
      source: 'file',
      fileName: 'tenants.csv',
      rowCount: 3,
      fileSha256: createHash('sha256').update(content).digest('hex'),
    });
    // The way on: the Confirm form with its CSRF token, or a fixed file.
    expect(html).toMatch(
      new RegExp(
        `<form method="post" action="/attestation-batches/${id}/confirm"[^>]*>\\s*<input type="hidden" name="_csrf" value="[^"]+">`,
      ),
    );
    expect(html).toContain('Create 2 attestations<');
    expect(html).toContain('href="/attestation-batches/new" id="upload-again">Upload a fixed file');
  });

  it('should read a Windows-1252 (Latin-1) CSV as such', async () => {
    const text = [
      HEADER.join(','),
      row(fresh[3].microsoftTenantId, { 'Signatory first name': 'Renée', 'Signatory last name': 'Müller' }).join(','),
    ].join('\n');
    const { html, id } = await previewOf(Buffer.from(text, 'latin1'), 'latin1.csv');
    expect(countsOf(html)).toEqual({ create: '1', skip: '0', errors: '0' });
    const [saved] = await testApp.app.get(BulkAttestationsRepository).rowsOf(id);
    expect([saved.signatoryFirstName, saved.signatoryLastName]).toEqual(['Renée', 'Müller']);
  });

  it('should read an XLSX file, refuse unknown, foreign and repeated tenants and skip accepted and open ones', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Tenants');
    // Headers in another order and case: found by name.
    const order = [4, 0, 2, 3, 6, 7, 8, 1];
    sheet.addRow(order.map((i) => HEADER[i].toUpperCase()));
    const add = (cells: string[]) => sheet.addRow(order.map((i) => cells[i]));
    add(row(fresh[4].microsoftTenantId));
    add(row(foreign.microsoftTenantId));
    add(row('not-a-tenant'));
    add(row(accepted.microsoftTenantId));
    add(row(open.microsoftTenantId));
    add(row(fresh[4].microsoftTenantId, { 'Signatory email': 'other@customer.test' }));
    add(
      row(fresh[5].microsoftTenantId, {
        'Signatory email': 'not-an-email',
        'Language (e.g. en-US)': 'Klingon',
        'Country (e.g. US or United States)': 'Narnia',
      }),
    );
    const formulaRow = add(row(fresh[6].microsoftTenantId));
    formulaRow.getCell(1).value = { formula: '"grace"&"@customer.test"', result: 'grace@customer.test' };
    const { html } = await previewOf(Buffer.from(await workbook.xlsx.writeBuffer()), 'tenants.xlsx');
    expect(countsOf(html)).toEqual({ create: '1', skip: '2', errors: '5' });
    const unknown = 'Error Microsoft tenant ID: No tenant with this Microsoft tenant ID in your Partner Center account';
    expect(resultOf(html, 2)).toBe('Will create');
    expect(resultOf(html, 3)).toBe(unknown);
    expect(resultOf(html, 4)).toBe(unknown);
    expect(resultOf(html, 5)).toBe('Will skip Already accepted: Acceptance provided (Attested)');
    expect(resultOf(html, 6)).toBe('Will skip An attestation is already open for this tenant · See the attestation');
    expect(html).toContain(`href="/tenants/${open.id}/attestation"`);
    expect(resultOf(html, 7)).toBe('Error Microsoft tenant ID: This tenant is also on row 2: list each tenant once');
    expect(resultOf(html, 8)).toBe(
      'Error Signatory email: Enter a valid email address, like name@example.com Country (e.g. US or United States): Choose a country from the list Language (e.g. en-US): Choose a language from the list',
    );
    // The formula's text, not its cached result: an email address that is not one.
    expect(resultOf(html, 9)).toBe('Error Signatory email: Enter a valid email address, like name@example.com');
    const errorsOnly = await admin.get(/href="([^"]*show=errors)"/.exec(decode(html))?.[1] ?? '').expect(200);
    expect(countsOf(errorsOnly.text).errors).toBe('5');
    expect(errorsOnly.text).not.toContain('id="row-2"');
  });

  it('should make a second harmless draft when the same file is uploaded again', async () => {
    const content = Buffer.from([HEADER.join(','), row(fresh[7].microsoftTenantId).join(',')].join('\n'));
    const first = await previewOf(content, 'same.csv');
    const second = await previewOf(content, 'same.csv');
    expect(second.id).not.toBe(first.id);
    const repository = testApp.app.get(BulkAttestationsRepository);
    const [a, b] = await Promise.all([
      repository.findBatch(brokerId, first.id),
      repository.findBatch(brokerId, second.id),
    ]);
    expect(a?.fileSha256).toBe(b?.fileSha256);
    expect([a?.status, b?.status]).toEqual(['draft', 'draft']);
  });

  it('should refuse a file over the limits, or one that is not a spreadsheet, with a message on the form', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 'a');
    const tooLarge = await upload(big, 'big.csv');
    expect(tooLarge.status).toBe(422);
    expect(decode(tooLarge.text)).toContain(FILE_TOO_LARGE);
    expect(tooLarge.text).toContain('aria-invalid="true"');

    const many = [HEADER.join(','), ...Array.from({ length: 5001 }, () => row(fresh[8].microsoftTenantId).join(','))];
    const tooMany = await upload(Buffer.from(many.join('\n')), 'many.csv');
    expect(tooMany.status).toBe(422);
    expect(decode(tooMany.text)).toContain(TOO_MANY_ROWS);

    const pdf = await upload(Buffer.from('%PDF-1.7\n\u0000\u0001\u0002 binary'), 'tenants.csv');
    expect(pdf.status).toBe(422);
    expect(decode(pdf.text)).toContain(NOT_A_SPREADSHEET);

    const noColumn = await upload(Buffer.from('Name,Email\nx,y@z.test\n'), 'other.csv');
    expect(noColumn.status).toBe(422);
    expect(decode(noColumn.text)).toContain('This file has no “Microsoft tenant ID” column in its first row.');

    const page = await admin.get('/attestation-batches/new');
    const none = await admin.post('/attestation-batches').field('_csrf', csrfTokenFrom(page.text));
    expect(none.status).toBe(422);
    expect(none.text).toContain('Choose a CSV or XLSX file to upload.');
  });

  it('should check the CSRF token of a multipart upload', async () => {
    const content = Buffer.from([HEADER.join(','), row(fresh[9].microsoftTenantId).join(',')].join('\n'));
    const without = await admin.post('/attestation-batches').attach('file', content, 'x.csv');
    expect(without.status).toBe(403);
    const wrong = await admin.post('/attestation-batches').field('_csrf', 'forged').attach('file', content, 'x.csv');
    expect(wrong.status).toBe(403);
    const stranger = await request(testApp.server).post('/attestation-batches').attach('file', content, 'x.csv');
    expect([302, 303, 403]).toContain(stranger.status);
  });

  it('should give a template of the selection with the tenants filled in and formulas neutralised', async () => {
    const query = `matching=all&status=none&q=${encodeURIComponent('cmd')}`;
    const csv = await download(`/attestation-batches/template?format=csv&${query}`);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="attestations-template.csv"');
    const parsed = readCsv(csv.body as Buffer);
    expect(parsed.bom).toBe(true);
    expect(parsed.header).toEqual(HEADER);
    expect(parsed.rows).toEqual([[formulaTenant.microsoftTenantId, `'${FORMULA_NAME}`, '', '', '', '', '', '', '']]);

    const ids = `tenant=${fresh[0].id}&tenant=${fresh[1].id}&tenant=${foreign.id}`;
    const xlsx = await download(`/attestation-batches/template?format=xlsx&${ids}`);
    const read = await readXlsx(xlsx.body as Buffer);
    expect(read.header).toEqual(HEADER);
    expect(read.rows.map((r) => r[0])).toEqual([fresh[0].microsoftTenantId, fresh[1].microsoftTenantId]);
  });

  it('should make a draft for "all N matching" from the filter, with one signatory for all', async () => {
    const chosen = await admin
      .post('/attestation-batches/selection')
      .type('form')
      .send({ _csrf: csrfTokenFrom((await admin.get('/mca')).text), matching: 'all', status: 'none', q: 'Fresh 12' });
    expect(chosen.status).toBe(303);
    const page = await admin.get(chosen.headers.location as string).expect(200);
    expect(decode(page.text)).toContain('For all 10 tenants with status “No acceptance provided” matching “Fresh 12”.');
    const token = csrfTokenFrom(page.text);
    const refused = await admin.post('/attestation-batches/selection/draft').type('form').send({
      _csrf: token,
      matching: 'all',
      status: 'none',
      q: 'Fresh 12',
      signatoryFirstName: 'Grace',
      signatoryLastName: '',
      signatoryEmail: 'nope',
      country: 'US',
      language: 'en-US',
      autoFinalize: 'no',
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('id="signatoryEmail-error">Enter a valid email address, like name@example.com');
    expect(refused.text).toContain('id="signatoryLastName-error">Enter the last name');
    expect(decode(refused.text)).toContain('For all 10 tenants');
    const made = await admin.post('/attestation-batches/selection/draft').type('form').send({
      _csrf: token,
      matching: 'all',
      status: 'none',
      q: 'Fresh 12',
      signatoryFirstName: 'Grace',
      signatoryLastName: 'Hopper',
      signatoryEmail: 'grace@customer.test',
      country: 'GB',
      language: 'en-GB',
      autoFinalize: 'yes',
    });
    expect(made.status).toBe(303);
    const id = Number((made.headers.location as string).split('/')[2]);
    const rows = await testApp.app.get(BulkAttestationsRepository).rowsOf(id);
    expect(rows.map((r) => r.companyName)).toEqual(fresh.slice(120, 130).map((t) => t.name));
    expect(rows.every((r) => r.status === 'pending' && r.country === 'GB' && r.autoFinalize)).toBe(true);
    const batch = await testApp.app.get(BulkAttestationsRepository).findBatch(brokerId, id);
    expect(batch).toMatchObject({ source: 'selection', fileName: null, rowCount: 10 });
  });

  it('should make a draft for ticked tenants, leaving out another broker’s', async () => {
    const token = csrfTokenFrom((await admin.get('/mca')).text);
    const made = await admin
      .post('/attestation-batches/selection/draft')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(token)}&tenant=${fresh[10].id}&tenant=${open.id}&tenant=${foreign.id}` +
          '&signatoryFirstName=Grace&signatoryLastName=Hopper&signatoryEmail=grace%40customer.test&country=US&language=en-US&autoFinalize=no',
      );
    expect(made.status).toBe(303);
    const preview = await admin.get(made.headers.location as string).expect(200);
    expect(countsOf(preview.text)).toEqual({ create: '1', skip: '1', errors: '0' });
    expect(preview.text).toContain('Start again with a spreadsheet');
  });

  it('should paginate a long preview on the server', async () => {
    const lines = [HEADER.join(','), ...fresh.slice(0, 120).map((t) => row(t.microsoftTenantId).join(','))];
    const { html, location } = await previewOf(Buffer.from(lines.join('\n')), 'long.csv');
    expect(countsOf(html).create).toBe('120');
    expect(html.match(/<tr id="row-/g)).toHaveLength(100);
    expect(html).toContain('Page 1 of 2');
    const second = await admin.get(`${location}?page=2`).expect(200);
    expect(second.text.match(/<tr id="row-/g)).toHaveLength(20);
    expect(second.text).toContain('id="row-121"');
  });

  it('should show a draft to its own broker only', async () => {
    const content = Buffer.from([HEADER.join(','), row(fresh[11].microsoftTenantId).join(',')].join('\n'));
    const { location } = await previewOf(content, 'mine.csv');
    const otherBroker = await setUpOtherBrokerAdmin(testApp);
    expect((await otherBroker.get(location)).status).toBe(404);
  });
});

async function setUpOtherBrokerAdmin(testApp: TestApp): Promise<TestAgent> {
  await createUser(testApp, await createBroker(testApp, 'Third Partner'), 'eve@third.test', 'admin', 'Eve');
  return (await signIn(testApp, 'eve@third.test')).agent;
}
