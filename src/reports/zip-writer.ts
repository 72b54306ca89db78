import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { crc32, createDeflateRaw } from 'node:zlib';

// A zip archive written entry by entry to a stream, each entry deflated as it is written: neither an entry nor the
// archive is ever whole in memory. Each entry's CRC and sizes follow its data (a data descriptor, flag bit 3), so
// nothing is written twice; the central directory at the end repeats them. No ZIP64: an entry or the archive over
// 4 GB is refused rather than written corrupt.
const LIMIT = 0xffffffff;
const UTF8_AND_DESCRIPTOR = 0x0808;
const DEFLATE = 8;
// 1980-01-01 00:00 in MS-DOS time: the entries' time says nothing the file's own does not.
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

interface Entry {
  name: Buffer;
  offset: number;
  crc: number;
  size: number;
  compressed: number;
}

export interface ZipEntry {
  write(data: string): Promise<void>;
  close(): Promise<void>;
}

export class ZipWriter {
  private readonly entries: Entry[] = [];
  private offset = 0;

  constructor(
    private readonly out: Writable,
    private readonly level: number,
  ) {}

  async add(name: string, data: string): Promise<void> {
    const entry = await this.open(name);
    await entry.write(data);
    await entry.close();
  }

  async open(name: string): Promise<ZipEntry> {
    const entry: Entry = { name: Buffer.from(name, 'utf8'), offset: this.offset, crc: 0, size: 0, compressed: 0 };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(UTF8_AND_DESCRIPTOR, 6);
    header.writeUInt16LE(DEFLATE, 8);
    header.writeUInt16LE(DOS_DATE, 12);
    header.writeUInt16LE(entry.name.length, 26);
    await this.write(Buffer.concat([header, entry.name]));
    const deflate = createDeflateRaw({ level: this.level });
    deflate.on('data', (chunk: Buffer) => {
      entry.compressed += chunk.length;
    });
    // A failed file (a full disk) fails the entry's writes instead of leaving them waiting for room.
    const fail = (error: Error) => deflate.destroy(error);
    this.out.once('error', fail);
    deflate.pipe(this.out, { end: false });
    const ended = once(deflate, 'end');
    ended.catch(() => undefined);
    return {
      write: async (data) => {
        const bytes = Buffer.from(data, 'utf8');
        entry.crc = crc32(bytes, entry.crc);
        entry.size += bytes.length;
        if (entry.size > LIMIT) throw new Error(`${name} is larger than a zip without ZIP64 holds`);
        if (!deflate.write(bytes)) await once(deflate, 'drain');
      },
      close: async () => {
        deflate.end();
        await ended;
        this.out.off('error', fail);
        this.offset += entry.compressed;
        if (this.offset > LIMIT) throw new Error('The zip archive is larger than 4 GB');
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(entry.crc, 4);
        descriptor.writeUInt32LE(entry.compressed, 8);
        descriptor.writeUInt32LE(entry.size, 12);
        await this.write(descriptor);
        this.entries.push(entry);
      },
    };
  }

  // The central directory and its end record; the caller ends the stream.
  async finish(): Promise<void> {
    const start = this.offset;
    for (const entry of this.entries) {
      const record = Buffer.alloc(46);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(20, 4);
      record.writeUInt16LE(20, 6);
      record.writeUInt16LE(UTF8_AND_DESCRIPTOR, 8);
      record.writeUInt16LE(DEFLATE, 10);
      record.writeUInt16LE(DOS_DATE, 14);
      record.writeUInt32LE(entry.crc, 16);
      record.writeUInt32LE(entry.compressed, 20);
      record.writeUInt32LE(entry.size, 24);
      record.writeUInt16LE(entry.name.length, 28);
      record.writeUInt32LE(entry.offset, 42);
      await this.write(Buffer.concat([record, entry.name]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
  }

  private async write(bytes: Buffer): Promise<void> {
    if (this.offset + bytes.length > LIMIT) throw new Error('The zip archive is larger than 4 GB');
    this.offset += bytes.length;
    if (!this.out.write(bytes)) await once(this.out, 'drain');
  }
}
