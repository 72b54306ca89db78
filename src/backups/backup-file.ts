import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { readAnchor, type AuditAnchor } from '../audit/audit-anchor';

// A backup is one self-describing file: a first line `MCA-MANAGER-BACKUP 1 <header bytes>`, the header (JSON),
// then the database itself (a SQLite database file, or pg_dump's custom format), whose SHA-256 the header holds.
export interface BackupHeader {
  app: 'mca-manager';
  appVersion: string;
  schemaVersion: string; // the latest migration applied to the copied database
  createdAt: string;
  database: 'sqlite' | 'postgres';
  payloadBytes: number;
  payloadSha256: string;
  auditAnchor: AuditAnchor; // the chain heads of the copy, signed with APP_SECRET
}

const MAGIC = 'MCA-MANAGER-BACKUP';
const VERSION = 1;
const FIRST_LINE_MAX = 64;
const HEADER_MAX = 16 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export const BACKUP_EXTENSION = '.mcabackup';

// Refused file: the message says what is wrong with it, for the operator.
export class BadBackupFileError extends Error {
  constructor(file: string, reason: string) {
    super(`${file} is not a usable MCA Manager backup: ${reason}`);
    this.name = 'BadBackupFileError';
  }
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// Writes header and payload to `target`, which must not exist yet, and flushes it to the disk. The caller writes
// to a partial name and renames it when this returned, so a backup file is either whole or absent.
export async function writeBackupFile(target: string, header: BackupHeader, payload: string): Promise<number> {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = await open(target, 'wx', 0o600);
  try {
    let written = await writeAll(out, Buffer.from(`${MAGIC} ${VERSION} ${json.length}\n`, 'ascii'));
    written += await writeAll(out, json);
    for await (const chunk of createReadStream(payload, { highWaterMark: CHUNK })) {
      written += await writeAll(out, chunk as Buffer);
    }
    await out.sync();
    return written;
  } finally {
    await out.close();
  }
}

async function writeAll(out: FileHandle, data: Buffer): Promise<number> {
  let offset = 0;
  while (offset < data.length) offset += (await out.write(data, offset)).bytesWritten;
  return data.length;
}

// Reads and checks a backup's header, and that the payload is whole (its size and SHA-256); `payloadOffset` is
// where the database starts in the file.
export async function readBackupFile(file: string): Promise<{ header: BackupHeader; payloadOffset: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new BadBackupFileError(file, (error as Error).message);
  }
  try {
    const first = Buffer.alloc(FIRST_LINE_MAX);
    const { bytesRead } = await handle.read(first, 0, FIRST_LINE_MAX, 0);
    const end = first.subarray(0, bytesRead).indexOf(0x0a);
    const match = end > 0 ? new RegExp(`^${MAGIC} (\\d+) (\\d+)$`).exec(first.toString('ascii', 0, end)) : null;
    if (!match) throw new BadBackupFileError(file, 'it does not start like one');
    if (Number(match[1]) !== VERSION)
      throw new BadBackupFileError(file, `it has format ${match[1]}, this version reads format ${VERSION}`);
    const headerBytes = Number(match[2]);
    if (headerBytes > HEADER_MAX) throw new BadBackupFileError(file, 'its header is too large');
    const json = Buffer.alloc(headerBytes);
    const read = await handle.read(json, 0, headerBytes, end + 1);
    if (read.bytesRead !== headerBytes) throw new BadBackupFileError(file, 'it is cut short in its header');
    const header = parseHeader(file, json.toString('utf8'));
    const payloadOffset = end + 1 + headerBytes;
    const { size } = await handle.stat();
    if (size - payloadOffset !== header.payloadBytes)
      throw new BadBackupFileError(
        file,
        `it holds ${size - payloadOffset} bytes of database where its header says ${header.payloadBytes}: it is cut short or was changed`,
      );
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file, { start: payloadOffset, highWaterMark: CHUNK }))
      hash.update(chunk as Buffer);
    if (hash.digest('hex') !== header.payloadSha256)
      throw new BadBackupFileError(file, 'its database does not match the checksum in its header: the file is damaged');
    return { header, payloadOffset };
  } finally {
    await handle.close();
  }
}

function parseHeader(file: string, text: string): BackupHeader {
  let value: Partial<BackupHeader>;
  try {
    value = JSON.parse(text) as Partial<BackupHeader>;
  } catch {
    throw new BadBackupFileError(file, 'its header is not JSON');
  }
  const anchor = readAnchor(value.auditAnchor);
  if (
    value.app !== 'mca-manager' ||
    typeof value.appVersion !== 'string' ||
    typeof value.schemaVersion !== 'string' ||
    typeof value.createdAt !== 'string' ||
    (value.database !== 'sqlite' && value.database !== 'postgres') ||
    !Number.isSafeInteger(value.payloadBytes) ||
    typeof value.payloadSha256 !== 'string' ||
    !anchor
  )
    throw new BadBackupFileError(file, 'its header lacks a field or has one of the wrong kind');
  return { ...(value as BackupHeader), auditAnchor: anchor };
}

// Copies the payload out of a backup file into `target` (a new file), flushed to the disk.
export async function extractPayload(file: string, payloadOffset: number, target: string): Promise<void> {
  const out = await open(target, 'wx', 0o600);
  try {
    for await (const chunk of createReadStream(file, { start: payloadOffset, highWaterMark: CHUNK }))
      await writeAll(out, chunk as Buffer);
    await out.sync();
  } finally {
    await out.close();
  }
}
