import { parse } from 'csv-parse/sync';
import { Workbook } from 'exceljs';
import type request from 'supertest';

// A report file read back as a spreadsheet program would: the header and rows of cells as text (dates as ISO).
export function readCsv(content: Buffer): { bom: boolean; header: string[]; rows: string[][] } {
  const bom = content.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
  const records = parse(content, { bom: true, relax_column_count: false }) as string[][];
  return { bom, header: records[0], rows: records.slice(1) };
}

export async function readXlsx(content: Buffer) {
  const workbook = new Workbook();
  await workbook.xlsx.load(content as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  const values: (string | Date | null)[][] = [];
  const columns = sheet.columnCount; // counts every row each time it is read
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: (string | Date | null)[] = [];
    for (let c = 1; c <= columns; c++) {
      const value = row.getCell(c).value;
      cells.push(value === null || value === undefined ? null : value instanceof Date ? value : String(value));
    }
    values.push(cells);
  });
  return {
    sheet,
    header: values[0] as string[],
    rows: values.slice(1),
    frozen: sheet.views[0],
    autoFilter: sheet.autoFilter,
    widths: sheet.columns.map((column) => column.width),
  };
}

// A report's download with its body as bytes, whatever its content type.
export const downloadReport = (agent: ReturnType<typeof request.agent>, id: number) =>
  agent
    .get(`/reports/${id}/download`)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
