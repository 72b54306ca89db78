import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { Clock } from '../common/clock';
import { SqlService } from '../database/sql.service';
import type { ReportFormat } from './report-columns';
import { ReportsRepository } from './reports.repository';

export const REPORT_RETENTION_MS = 7 * 24 * 3_600_000;

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

// The name a recipient sees: mca-report-2026-11-30.csv
export const reportFileName = (createdAt: Date, format: ReportFormat): string =>
  `mca-report-${createdAt.toISOString().slice(0, 10)}.${format}`;

// Large enough that a 100 MB report is 400 statements, small enough that one insert is a short write on SQLite.
export const REPORT_CHUNK_BYTES = 256 * 1024;

// The mail outbox's name for report files: its ref is the request's id, with `.gz` for the file gzip-compressed.
export const REPORT_FILE_ATTACHMENTS = 'report-file';

// A build's temporary file: in the system's temporary folder, named by process and request (never by user input).
const TEMP_PREFIX = 'mca-report-';
// A temporary file this old is no build's: a build rewrites its file every batch of rows.
export const STALE_TEMP_MS = 3_600_000;

// A name no other build on this machine uses, that the start-up sweep recognises.
export const reportTempPath = (requestId: number): string =>
  join(tmpdir(), `${TEMP_PREFIX}${process.pid}-${requestId}-${randomUUID()}.part`);

// Where a finished report lives: in the database, in chunks (report_file_chunks), so that every instance reads it.
// A file is written a chunk a transaction; it is complete once its request is marked sent, which downloads and
// mails check. A retry or a failure deletes the chunks of an attempt that did not finish.
@Injectable()
export class ReportFiles implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReportFiles.name);

  constructor(
    private readonly sql: SqlService,
    private readonly reports: ReportsRepository,
    private readonly clock: Clock,
  ) {}

  // The temporary files of builds a killed process left behind.
  async onApplicationBootstrap(): Promise<void> {
    const removed = await sweepStaleTempFiles(this.clock.now());
    if (removed > 0) this.logger.warn(`Removed ${removed} report files left behind by builds that did not finish`);
  }

  // Copies the finished file at `path` into the request's chunks (replacing any an earlier attempt left); returns
  // its size.
  async store(requestId: number, path: string): Promise<number> {
    await this.remove(requestId);
    let seq = 0;
    let bytes = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: REPORT_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
      await this.writeChunk(requestId, seq++, chunk);
      bytes += chunk.length;
    }
    return bytes;
  }

  // One chunk, one short transaction.
  writeChunk(requestId: number, seq: number, chunk: Buffer): Promise<unknown> {
    return this.sql.transaction((tx) => this.reports.insertFileChunk(tx, requestId, seq, chunk));
  }

  // The stored file as a stream read a chunk at a time (never the whole file in memory); null when nothing is stored.
  async open(requestId: number): Promise<Readable | null> {
    const first = await this.chunk(requestId, 0);
    if (!first) return null;
    const read = async function* (this: ReportFiles): AsyncGenerator<Buffer> {
      yield first;
      for (let seq = 1; ; seq++) {
        const next = await this.chunk(requestId, seq);
        if (!next) return;
        yield next;
      }
    };
    return Readable.from(read.call(this), { objectMode: false });
  }

  // A mail's attachment (REPORT_FILE_ATTACHMENTS), opened by whichever instance sends it.
  async openAttachment(ref: string): Promise<Readable | null> {
    const match = /^(\d+)(\.gz)?$/.exec(ref);
    const file = match ? await this.open(Number(match[1])) : null;
    if (!file || !match?.[2]) return file;
    return pipeline(file, createGzip(), () => undefined);
  }

  async remove(requestId: number): Promise<void> {
    await this.sql.transaction((tx) => this.reports.deleteFileChunks(tx, requestId));
  }

  private chunk(requestId: number, seq: number): Promise<Buffer | null> {
    return this.reports.fileChunk(requestId, seq);
  }
}

// Removes this machine's report temporary files older than STALE_TEMP_MS (another instance's running build keeps
// its file fresh); returns how many.
export async function sweepStaleTempFiles(now: Date): Promise<number> {
  const dir = tmpdir();
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(TEMP_PREFIX) || !name.endsWith('.part')) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile() || now.getTime() - info.mtimeMs < STALE_TEMP_MS) continue;
    await rm(path, { force: true });
    removed++;
  }
  return removed;
}
