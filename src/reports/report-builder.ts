import { Injectable } from '@nestjs/common';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { AttestationsRepository } from '../attestations/attestations.repository';
import { SqlService } from '../database/sql.service';
import { TenantsRepository } from '../tenants/tenants.repository';
import { csvRecord, csvRecords, REPORT_COLUMNS, xlsxCells, type ReportFormat, type ReportRow } from './report-columns';
import type { ReportFilter } from './report-filter';
import { XlsxSheetWriter } from './xlsx-writer';

// Each read is one short indexed statement: on SQLite it holds the event loop for its duration only.
export const REPORT_BATCH_SIZE = 1000;

export type Progress = (done: number, total: number) => Promise<void>;

// What one build cost, from its count to its file's last byte (not its copy into the database). The CPU and the peak
// RSS are the process's: in the app they include whatever else ran meanwhile, and the peak is the process's since
// it started.
export interface ReportBuildFigures {
  rows: number;
  bytes: number;
  countMs: number;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
}

// The process's peak RSS in bytes: VmHWM on Linux, which starts afresh when a process starts. getrusage's maxRSS
// does not: a spawned process inherits its parent's peak (fork copies its memory, exec keeps the high-water mark),
// so a bench's child showed the seeding parent's 995 MB as its own.
export async function peakRssBytes(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kB = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return (kB ? Number(kB) : process.resourceUsage().maxRSS) * 1024;
}

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
        // Each row as read, its attestation added: copying 100,000 rows into new objects was a tenth of the CPU.
        yield listed.map((tenant) => Object.assign(tenant, { attestation: attestations.get(tenant.id) ?? null }));
      }
      if (raw.length < REPORT_BATCH_SIZE) return;
      afterId = raw[raw.length - 1].id;
      // Let requests in between two reads.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // Writes the report to `file`, and removes what it wrote if it fails (a full disk, a lost database): the caller
  // gives it a temporary file and stores it once it is complete. Returns what the build cost, as the job records it.
  async build(
    brokerId: number,
    filter: ReportFilter,
    format: ReportFormat,
    file: string,
    progress: Progress,
    signal?: AbortSignal,
  ): Promise<ReportBuildFigures> {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await mkdir(dirname(file), { recursive: true });
    const counting = performance.now();
    const total = await this.count(brokerId, filter);
    const countMs = performance.now() - counting;
    await progress(0, total);
    try {
      const rows = await (format === 'csv' ? this.writeCsv : this.writeXlsx).call(
        this,
        file,
        this.batches(brokerId, filter, signal),
        (done: number) => progress(done, Math.max(total, done)),
      );
      const bytes = (await stat(file)).size;
      const used = process.cpuUsage(cpu);
      return {
        rows,
        bytes,
        countMs,
        wallMs: performance.now() - started,
        cpuMs: (used.user + used.system) / 1000,
        peakRssBytes: await peakRssBytes(),
      };
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
      // A BOM so that spreadsheet programs read UTF-8. Each batch is written as one chunk: a record at a time through
      // a stream costs a turn of the event loop per 16 rows.
      await write(`\uFEFF${csvRecord(REPORT_COLUMNS.map((c) => c.header))}`);
      for await (const batch of batches) {
        await write(csvRecords(batch));
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
    const sheet = await XlsxSheetWriter.create(file, 'MCA report', REPORT_COLUMNS);
    let rows = 0;
    try {
      for await (const batch of batches) {
        await sheet.addRows(batch.map(xlsxCells));
        rows += batch.length;
        await progress(rows);
      }
      await sheet.close();
    } catch (error) {
      await sheet.abort();
      throw error;
    }
    return rows;
  }
}
