import { Workbook } from 'exceljs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvRecord } from './report-columns';
import { columnLetter, XlsxSheetWriter, type XlsxColumn } from './xlsx-writer';

const COLUMNS: XlsxColumn[] = [
  { header: 'Name & <kind>', width: 30, kind: 'text' },
  { header: 'When (UTC)', width: 22, kind: 'date' },
  { header: 'Note', width: 12, kind: 'text' },
];

describe('XlsxSheetWriter', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'xlsx-writer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should write a sheet a spreadsheet reads back: bold frozen header, filters, widths, text and date cells', async () => {
    const file = join(dir, 'sheet.xlsx');
    const writer = await XlsxSheetWriter.create(file, "Partner's sheet", COLUMNS);
    const when = new Date('2026-11-30T22:19:05Z');
    await writer.addRows([
      ['A & B <C> "D"', when, null],
      ['  spaced  ', null, 'bell\u0007 gone'],
    ]);
    await writer.addRows([['Åsa Ström 🌍', new Date('1999-01-01T00:00:00Z'), '']]);
    await writer.close();

    const workbook = new Workbook();
    await workbook.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe("Partner's sheet");
    expect(sheet.getRow(1).values).toEqual([undefined, 'Name & <kind>', 'When (UTC)', 'Note']);
    expect(sheet.getRow(1).getCell(1).font).toMatchObject({ bold: true });
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe('A1:C1');
    expect(sheet.columns.map((c) => c.width)).toEqual([30, 22, 12]);
    expect(sheet.getCell('A2').value).toBe('A & B <C> "D"');
    expect(sheet.getCell('B2').value).toEqual(when);
    expect(sheet.getCell('B2').numFmt).toBe('yyyy-mm-dd"T"hh:mm:ss"Z"');
    expect(sheet.getCell('C2').value).toBeNull();
    expect(sheet.getCell('A3').value).toBe('  spaced  ');
    expect(sheet.getCell('C3').value).toBe('bell gone');
    expect(sheet.getCell('A4').value).toBe('Åsa Ström 🌍');
    expect(sheet.getCell('B4').value).toEqual(new Date('1999-01-01T00:00:00Z'));
    expect(sheet.rowCount).toBe(4);
  });

  it('should name columns as spreadsheets do', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });
});

describe('csvRecord', () => {
  it('should quote a field only when it holds a quote, a comma or a line break (RFC 4180)', () => {
    const cells = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', ''];
    const record = csvRecord(cells);
    expect(record).toBe('plain,"a,b","say ""hi""","two\nlines","cr\r",\r\n');
    expect(parse(record)).toEqual([cells]);
  });
});
