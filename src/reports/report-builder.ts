import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { AttestationsRepository } from '../attestations/attestations.repository';
import { SqlService } from '../database/sql.service';
import { TenantsRepository } from '../tenants/tenants.repository';
import { csvCells, REPORT_COLUMNS, xlsxCells, type ReportFormat, type ReportRow } from './report-columns';
import type { ReportFilter } from './report-filter';

// Each read is one short indexed statement: on SQLite it holds the event loop for its duration only.
export const REPORT_BATCH_SIZE = 1000;

export type Progress = (done: number, total: number) => Promise<void>;

@Injectable()
export class ReportBuilder {
  constructor(
    private readonly sql: SqlService,
    private readonly tenants: TenantsRepository,
    private readonly attestations: AttestationsRepository,
  ) {}

  count(brokerId: number, filter: ReportFilter): Promise<number> {
    return this.tenants.countFiltered(brokerId, filter);
  }

  // The tenants in keyset batches, each with its latest attestation: memory holds one batch at a time.
  async *batches(brokerId: number, filter: ReportFilter, signal?: AbortSignal): AsyncGenerator<ReportRow[]> {
    let afterId = 0;
    for (;;) {
      signal?.throwIfAborted();
      const raw = await this.tenants.filteredBatch(brokerId, filter, afterId, REPORT_BATCH_SIZE);
      if (raw.length === 0) return;
      const listed = raw.filter((r) => r.listed);
      if (listed.length > 0) {
        const attestations = await this.attestations.latestOfTenants(
          brokerId,
          listed.map((r) => r.id),
        );
        yield listed.map(({ listed: _, ...tenant }) => ({
          ...tenant,
          attestation: attestations.get(tenant.id) ?? null,
        }));
      }
      if (raw.length < REPORT_BATCH_SIZE) return;
      afterId = raw[raw.length - 1].id;
      // Let requests in between two reads.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // Writes the report to `file`, and removes what it wrote if it fails (a full disk, a lost database): the caller
  // gives it a temporary file and stores it once it is complete.
  async build(
    brokerId: number,
    filter: ReportFilter,
    format: ReportFormat,
    file: string,
    progress: Progress,
    signal?: AbortSignal,
  ): Promise<{ rows: number; bytes: number }> {
    await mkdir(dirname(file), { recursive: true });
    const total = await this.count(brokerId, filter);
    await progress(0, total);
    try {
      const rows = await (format === 'csv' ? this.writeCsv : this.writeXlsx).call(
        this,
        file,
        this.batches(brokerId, filter, signal),
        (done: number) => progress(done, Math.max(total, done)),
      );
      return { rows, bytes: (await stat(file)).size };
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
  }

  private async writeCsv(
    file: string,
    batches: AsyncGenerator<ReportRow[]>,
    progress: (done: number) => Promise<void>,
  ): Promise<number> {
    const out = createWriteStream(file);
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    let rows = 0;
    try {
      // A BOM so that spreadsheet programs read UTF-8; CRLF line ends (RFC 4180). Each batch is quoted in one call
      // and written as one chunk: a record at a time through a stream costs a turn of the event loop per 16 rows.
      await write(stringify([REPORT_COLUMNS.map((c) => c.header)], { bom: true, record_delimiter: 'windows' }));
      for await (const batch of batches) {
        await write(stringify(batch.map(csvCells), { record_delimiter: 'windows' }));
        rows += batch.length;
        await progress(rows);
      }
    } finally {
      out.end();
      await finished(out);
    }
    return rows;
  }

  private async writeXlsx(
    file: string,
    batches: AsyncGenerator<ReportRow[]>,
    progress: (done: number) => Promise<void>,
  ): Promise<number> {
    // Loaded by the first spreadsheet, not at start: exceljs is 7 MB of heap that every other request would carry.
    const { stream: excelStream } = await import('exceljs');
    const workbook = new excelStream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet('MCA report', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = REPORT_COLUMNS.map((column, i) => ({
      header: column.header,
      key: `c${i}`,
      width: column.width,
      style: column.kind === 'date' ? { numFmt: 'yyyy-mm-dd"T"hh:mm:ss"Z"' } : undefined,
    }));
    sheet.getRow(1).font = { bold: true };
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: REPORT_COLUMNS.length } };
    let rows = 0;
    for await (const batch of batches) {
      for (const row of batch) sheet.addRow(xlsxCells(row)).commit();
      rows += batch.length;
      await progress(rows);
    }
    sheet.commit();
    await workbook.commit();
    return rows;
  }
}
