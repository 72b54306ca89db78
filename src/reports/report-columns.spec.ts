import { neutralise } from '../common/spreadsheet-cells';
import { csvCells, csvRecords, REPORT_COLUMNS, type ReportRow } from './report-columns';

const row = (changes: Partial<ReportRow> = {}): ReportRow => ({
  id: 1,
  name: 'Contoso',
  microsoftTenantId: '7f0c1a2b-0000-4000-8000-000000000001',
  domain: 'contoso.onmicrosoft.com',
  status: 'direct',
  acceptedAt: new Date('2026-03-01T10:20:30.456Z'),
  removedAt: null,
  reacceptanceNeeded: false,
  attestedOutside: false,
  directlySigned: true,
  agreementSignatory: null,
  unconfirmed: null,
  attestation: null,
  ...changes,
});

describe('report columns', () => {
  it('should neutralise cells that a spreadsheet would read as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(neutralise(`${start}1+1`)).toBe(`'${start}1+1`);
    expect(neutralise('Contoso = good')).toBe('Contoso = good');
    expect(neutralise('')).toBe('');
  });

  it('should write the status label of the page, how acceptance was provided and ISO dates in UTC', () => {
    const cells = csvCells(row({ name: '=HYPERLINK("x")' }));
    expect(cells.slice(0, 6)).toEqual([
      `'=HYPERLINK("x")`,
      '7f0c1a2b-0000-4000-8000-000000000001',
      'contoso.onmicrosoft.com',
      'Acceptance provided (Direct)',
      'Directly by the customer',
      '2026-03-01T10:20:30Z',
    ]);
    expect(cells).toHaveLength(REPORT_COLUMNS.length);
  });

  it('should show the latest attestation with its state in words', () => {
    const cells = csvCells(
      row({
        status: 'pending',
        acceptedAt: null,
        attestation: {
          signatoryName: 'Signe Signatory',
          signatoryEmail: 'signe@customer.test',
          createdBy: 'ada@contoso.test',
          createdAt: new Date('2026-04-01T08:00:00Z'),
          finalizedAt: null,
          state: 'awaiting_acceptance',
        },
      }),
    );
    expect(cells.slice(3, 17)).toEqual([
      'Attestation pending',
      '',
      '',
      'No',
      '',
      '',
      '',
      '',
      'Signe Signatory',
      'signe@customer.test',
      'ada@contoso.test',
      '2026-04-01T08:00:00Z',
      '',
      'Awaiting acceptance',
    ]);
  });

  it('should say which acceptances need to be made again, were attested outside the app or not confirmed', () => {
    const cells = csvCells(
      row({
        status: 'attested',
        reacceptanceNeeded: true,
        attestedOutside: true,
        agreementSignatory: 'Dana Fuller <dana@customer.test>',
        unconfirmed: 'Partner Center is not available right now (HTTP 500)',
      }),
    );
    expect(cells.slice(6, 11)).toEqual([
      'Yes',
      'Yes',
      'Yes',
      'Dana Fuller <dana@customer.test>',
      'Partner Center is not available right now (HTTP 500)',
    ]);
  });

  it("should write a batch's records in its order, each quoted as one record is", () => {
    const rows = [row({ name: 'Contoso, "the first"' }), row({ id: 2, name: '-2' })];
    expect(csvRecords(rows)).toMatch(/^"Contoso, ""the first""",[^\n]*\r\n'-2,[^\n]*\r\n$/);
    expect(csvRecords([])).toBe('');
  });
});
