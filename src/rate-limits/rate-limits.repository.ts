import { Injectable } from '@nestjs/common';
import { SqlService, type Tx } from '../database/sql.service';

// A counted key: what is counted (`bucket`) and the hash of whom it is counted for.
export interface HitKey {
  bucket: string;
  subjectHash: string;
}

interface HitTimeRow {
  at: unknown;
}

// The rate_limit_hits table: one row per counted attempt.
@Injectable()
export class RateLimitsRepository {
  constructor(private readonly sql: SqlService) {}

  // When the `n`-th newest hit of `key` after `since` happened (1 is the newest), or null when there are fewer. Read
  // in `reader` when given (a transaction that holds a lock, which must not wait for a second pooled connection).
  async nthNewestSince(
    key: HitKey,
    since: Date,
    n: number,
    reader: Pick<Tx, 'query'> = this.sql,
  ): Promise<Date | null> {
    const [row] = await reader.query<HitTimeRow>`
      SELECT at FROM rate_limit_hits
      WHERE bucket = ${key.bucket} AND subject = ${key.subjectHash} AND at > ${this.sql.dialect.encodeTimestamp(since)}
      ORDER BY at DESC LIMIT 1 OFFSET ${n - 1}`;
    return row ? this.toHitTime(row) : null;
  }

  // Counts the hits and forgets those older than `forgetBefore`, in one transaction.
  async add(keys: HitKey[], at: Date, forgetBefore: Date): Promise<void> {
    const encode = (value: Date) => this.sql.dialect.encodeTimestamp(value);
    await this.sql.transaction(async (tx) => {
      for (const key of keys)
        await tx.query`INSERT INTO rate_limit_hits (bucket, subject, at) VALUES (${key.bucket}, ${key.subjectHash}, ${encode(at)})`;
      await tx.query`DELETE FROM rate_limit_hits WHERE at < ${encode(forgetBefore)}`;
    });
  }

  async clear(key: HitKey): Promise<void> {
    await this.sql.transaction(
      (tx) => tx.query`DELETE FROM rate_limit_hits WHERE bucket = ${key.bucket} AND subject = ${key.subjectHash}`,
    );
  }

  private toHitTime(row: HitTimeRow): Date | null {
    return this.sql.dialect.decodeTimestamp(row.at);
  }
}
