import ExcelJS from 'exceljs';
import { ValidationFailedError } from '../common/domain-errors';
import {
  BROKEN_XLSX,
  MAX_UPLOAD_ROWS,
  NO_ROWS,
  NOT_A_SPREADSHEET,
  OLD_EXCEL,
  readSpreadsheet,
  sniffDelimiter,
  TOO_MANY_ROWS,
} from './spreadsheet-reader';

const refusal = async (content: Buffer): Promise<string> => {
  try {
    await readSpreadsheet(content);
  } catch (error) {
    if (error instanceof ValidationFailedError) return error.fields.file;
    throw error;
  }
  throw new Error('The file was read');
};

async function xlsx(rows: ExcelJS.CellValue[][], extraSheet = false): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Tenants');
  for (const row of rows) sheet.addRow(row);
  if (extraSheet) workbook.addWorksheet('Notes').addRow(['not read']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('readSpreadsheet', () => {
  it('should read a UTF-8 CSV with a BOM, semicolons, a quoted line break, a formula and empty rows', async () => {
    const text = 'Tenant;Name\r\n"a";"Line one\nline two"\r\n\r\n;;\r\nb;=HYPERLINK("http://x")\r\n';
    const sheet = await readSpreadsheet(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(sheet.header).toEqual(['Tenant', 'Name']);
    expect(sheet.encoding).toBe('utf-8');
    // Row numbers as a spreadsheet shows them: the quoted line break stays in row 2, empty rows 3 and 4 count.
    expect(sheet.rows).toEqual([
      { rowNumber: 2, cells: ['a', 'Line one\nline two'] },
      { rowNumber: 5, cells: ['b', '=HYPERLINK("http://x")'] },
    ]);
  });

  it('should read bytes that are not UTF-8 as Windows-1252', async () => {
    const sheet = await readSpreadsheet(
      Buffer.from('Name,City\nRen\xe9e M\xfcller,K\xf6ln \x80 \x93ok\x94\n', 'latin1'),
    );
    expect(sheet.encoding).toBe('windows-1252');
    expect(sheet.rows[0].cells).toEqual(['Renée Müller', 'Köln € “ok”']);
  });

  it('should read a file of UTF-8 and Windows-1252 lines line by line', async () => {
    const content = Buffer.concat([
      Buffer.from('Name,City\nZoë,Århus\n', 'utf8'),
      Buffer.from('Ren\xe9e,K\xf6ln\n', 'latin1'),
    ]);
    const sheet = await readSpreadsheet(content);
    expect(sheet.encoding).toBe('mixed');
    expect(sheet.rows.map((row) => row.cells)).toEqual([
      ['Zoë', 'Århus'],
      ['Renée', 'Köln'],
    ]);
  });

  it('should read UTF-16 text with its BOM (Excel "Unicode text", tab-separated)', async () => {
    const text = 'Name\tCity\nZoë\tÅrhus\n';
    const sheet = await readSpreadsheet(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(sheet.rows[0].cells).toEqual(['Zoë', 'Århus']);
  });

  it('should choose the separator that the header row uses most, outside quotes', () => {
    expect(sniffDelimiter('a,b,c\n1;2')).toBe(',');
    expect(sniffDelimiter('"a,b";c;d\n')).toBe(';');
    expect(sniffDelimiter('a\tb\n')).toBe('\t');
  });

  it('should read the first worksheet of an XLSX file, with formulas as their text and never their result', async () => {
    const content = await xlsx(
      [
        ['Microsoft tenant ID', 'Name'],
        ['t-1', { formula: 'A2&"x"', result: 'evaluated' }],
        [],
        ['t-2', { richText: [{ text: 'Rich ' }, { text: 'text' }] }],
        [42, true],
      ],
      true,
    );
    const sheet = await readSpreadsheet(content);
    expect(sheet.header).toEqual(['Microsoft tenant ID', 'Name']);
    expect(sheet.rows).toEqual([
      { rowNumber: 2, cells: ['t-1', '=A2&"x"'] },
      { rowNumber: 4, cells: ['t-2', 'Rich text'] },
      { rowNumber: 5, cells: ['42', 'true'] },
    ]);
  });

  it('should refuse more rows than the limit, in both formats', async () => {
    const lines = ['Tenant', ...Array.from({ length: MAX_UPLOAD_ROWS + 1 }, (_, i) => `t-${i}`)];
    expect(await refusal(Buffer.from(lines.join('\n')))).toBe(TOO_MANY_ROWS);
    expect(await refusal(await xlsx(lines.map((line) => [line])))).toBe(TOO_MANY_ROWS);
    const atLimit = await readSpreadsheet(Buffer.from(lines.slice(0, -1).join('\n')));
    expect(atLimit.rows).toHaveLength(MAX_UPLOAD_ROWS);
  });

  it('should refuse what is not a CSV or XLSX file with a message that says what to do', async () => {
    expect(await refusal(Buffer.from('%PDF-1.7\n\u0000\u0001\u0002binary'))).toBe(NOT_A_SPREADSHEET);
    expect(await refusal(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toBe(OLD_EXCEL);
    expect(await refusal(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5]))).toBe(BROKEN_XLSX);
    expect(await refusal(Buffer.from('Tenant,Name\n\n,\n'))).toBe(NO_ROWS);
    expect(await refusal(Buffer.from(''))).toBe(NO_ROWS);
    expect(await refusal(Buffer.from('Tenant,Name\n"open quote,x\n'))).toMatch(/^This CSV file could not be read: /);
  });
});
