import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { ValidationFailedError } from '../common/domain-errors';

// What an upload may be: enough for every customer of a large partner, small enough that a file is held, decoded
// and parsed without the server noticing. multer stops reading at the byte limit (bulk-upload.middleware.ts); the
// parsers stop at the row limit.
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
export const MAX_UPLOAD_ROWS = 5000;
export const UPLOAD_FIELD = 'file';

export const FILE_TOO_LARGE = `This file is larger than 5 MB: split it into files of at most ${MAX_UPLOAD_ROWS.toLocaleString('en')} rows.`;
export const TOO_MANY_ROWS = `This file has more than ${MAX_UPLOAD_ROWS.toLocaleString('en')} rows: split it into files of at most ${MAX_UPLOAD_ROWS.toLocaleString('en')} rows.`;
export const NOT_A_SPREADSHEET =
  'This file is not a CSV or XLSX spreadsheet. Download the template, fill it in, and save it as CSV or Excel Workbook (.xlsx).';
export const OLD_EXCEL =
  'This is an old Excel (.xls) workbook: save it as Excel Workbook (.xlsx) or CSV and upload it again.';
export const BROKEN_XLSX = 'This XLSX file could not be read: it may be damaged. Save it again from Excel, or as CSV.';
export const UNREADABLE_UPLOAD =
  'This upload could not be read: choose one CSV or XLSX file in the form and send it again.';
export const NO_ROWS = 'This file has no rows under its header row.';

// A data row as read: its row number as a spreadsheet shows it (the header is row 1; an empty row still counts, a
// cell's line breaks do not), and its cells as text, left to right.
export interface SheetRow {
  rowNumber: number;
  cells: string[];
}

export interface Sheet {
  header: string[];
  rows: SheetRow[];
  // How the text was decoded (CSV only; 'mixed': lines in UTF-8 and lines in Windows-1252).
  encoding: 'utf-8' | 'windows-1252' | 'utf-16le' | 'mixed' | null;
}

const refuse = (message: string): never => {
  throw new ValidationFailedError({ file: message });
};

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const UTF16LE_BOM = Buffer.from([0xff, 0xfe]);

// A spreadsheet is read by its bytes, not its name: a CSV named .xlsx, or an XLSX named .csv, is still read.
export async function readSpreadsheet(content: Buffer): Promise<Sheet> {
  if (content.subarray(0, 4).equals(ZIP)) return readXlsx(content);
  // Old .xls workbooks are OLE containers.
  if (content.subarray(0, 4).equals(OLE)) return refuse(OLD_EXCEL);
  return readCsv(content);
}

// UTF-8 (with or without a BOM) when the bytes are valid UTF-8; UTF-16 with its BOM (Excel's "Unicode text");
// otherwise each line on its own: UTF-8 when it is valid UTF-8, else Windows-1252 (Excel's "CSV" on Western
// Windows, which reads Latin-1 letters the same), so that a file pasted together from both encodings reads right.
// A byte 0x0A is a line feed in all three, so lines are cut on it before decoding.
export function decodeText(content: Buffer): { text: string; encoding: NonNullable<Sheet['encoding']> } {
  if (content.subarray(0, 2).equals(UTF16LE_BOM))
    return { text: new TextDecoder('utf-16le').decode(content.subarray(2)), encoding: 'utf-16le' };
  const body = content.subarray(0, 3).equals(UTF8_BOM) ? content.subarray(3) : content;
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return { text: strict.decode(body), encoding: 'utf-8' };
  } catch {
    let utf8Lines = 0;
    const lines: string[] = [];
    for (let start = 0; start <= body.length;) {
      const end = body.indexOf(0x0a, start);
      const line = body.subarray(start, end === -1 ? body.length : end);
      try {
        lines.push(strict.decode(line));
        if (line.some((byte) => byte >= 0x80)) utf8Lines += 1;
      } catch {
        lines.push(decodeWindows1252(line));
      }
      if (end === -1) break;
      start = end + 1;
    }
    return { text: lines.join('\n'), encoding: utf8Lines > 0 ? 'mixed' : 'windows-1252' };
  }
}

// Bytes 0x80 to 0x9f of Windows-1252 (€, curly quotes, dashes...); the other bytes are Latin-1's. Decoded here
// because Node's TextDecoder reads 'windows-1252' as Latin-1, turning these into invisible control characters.
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

const decodeWindows1252 = (bytes: Buffer): string =>
  bytes.toString('latin1').replace(/[\u0080-\u009f]/g, (char) => WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80]);

// Text files hold no NUL nor most other control characters; a binary file (a PDF, an image, a zip) does early on.
const BINARY = /[\u0000-\u0008\u000e-\u001a]/;

// The separator is the one of `,` `;` and tab that appears most in the header row (outside quotes): Excel writes
// `;` where the decimal separator is a comma.
export function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  return [...counts].reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

const CHUNK_CHARS = 64 * 1024;

function* chunks(text: string): Generator<string> {
  for (let start = 0; start < text.length; start += CHUNK_CHARS) yield text.slice(start, start + CHUNK_CHARS);
}

const isBlank = (cells: readonly string[]): boolean => cells.every((cell) => cell.trim() === '');

async function readCsv(content: Buffer): Promise<Sheet> {
  const { text, encoding } = decodeText(content);
  if (BINARY.test(text.slice(0, 4096))) return refuse(NOT_A_SPREADSHEET);
  const parser = Readable.from(chunks(text)).pipe(
    parse({ delimiter: sniffDelimiter(text), relax_column_count: true, relax_quotes: true, info: true }),
  );
  let header: string[] | null = null;
  const rows: SheetRow[] = [];
  let rowNumber = 0;
  try {
    for await (const { record } of parser as AsyncIterable<{ record: string[] }>) {
      rowNumber += 1;
      if (isBlank(record)) continue;
      if (header === null) header = record;
      else if (rows.push({ rowNumber, cells: record }) > MAX_UPLOAD_ROWS) {
        parser.destroy();
        return refuse(TOO_MANY_ROWS);
      }
    }
  } catch (error) {
    if (error instanceof ValidationFailedError) throw error;
    // csv-parse's own words name the line: a quote left open, most often.
    return refuse(`This CSV file could not be read: ${(error as Error).message}`);
  }
  if (header === null || rows.length === 0) return refuse(NO_ROWS);
  return { header, rows, encoding };
}

// A cell as text (styles are not read: a date is its serial number, as no template column holds one). A formula is kept as its text (`=...`), never its cached result: nothing in a file is evaluated.
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  if ('formula' in value && typeof value.formula === 'string') return `=${value.formula}`;
  if ('sharedFormula' in value && typeof value.sharedFormula === 'string') return `=${value.sharedFormula}`;
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('error' in value) return String(value.error);
  return '';
}

// The first worksheet, read row by row from the zip as it streams: a workbook of many sheets or of a million rows
// is never held whole.
async function readXlsx(content: Buffer): Promise<Sheet> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([content]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'emit',
  });
  let header: string[] | null = null;
  const rows: SheetRow[] = [];
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet) {
        // row.values is 1-based: its first slot is always empty.
        const cells = (row.values as ExcelJS.CellValue[]).slice(1).map((value) => cellText(value));
        if (isBlank(cells)) continue;
        if (header === null) header = cells;
        else if (rows.push({ rowNumber: row.number, cells }) > MAX_UPLOAD_ROWS) return refuse(TOO_MANY_ROWS);
      }
      break;
    }
  } catch (error) {
    if (error instanceof ValidationFailedError) throw error;
    return refuse(BROKEN_XLSX);
  }
  if (header === null || rows.length === 0) return refuse(NO_ROWS);
  return { header, rows, encoding: null };
}
