import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { SqlService, type Tx } from '../database/sql.service';

export interface RateLimit {
  bucket: string; // what is counted, e.g. 'sign-in-failure:email'
  subject: string; // whom it is counted for (an email, an address); stored hashed
  limit: number; // hits allowed within the window
  windowSeconds: number;
}

// Rows older than this are never counted: no window may be longer.
export const MAX_WINDOW_SECONDS = 86_400;

const hashed = (subject: string) => createHash('sha256').update(subject).digest('hex');

// Sliding-window counts kept in the database, shared by every instance of the app.
@Injectable()
export class RateLimits {
  constructor(private readonly sql: SqlService) {}

  // How long until one more hit is allowed (seconds), or null when it is allowed now. The limit-th newest hit in
  // the window is the one whose expiry brings the count back under the limit. Read in `reader` when given (a
  // transaction that holds a lock, which must not wait for a second pooled connection).
  async retryAfterSeconds(
    rule: RateLimit,
    now = new Date(),
    reader: Pick<Tx, 'query'> = this.sql,
  ): Promise<number | null> {
    const since = this.sql.dialect.encodeTimestamp(new Date(now.getTime() - rule.windowSeconds * 1000));
    const [row] = await reader.query<{ at: unknown }>`
      SELECT at FROM rate_limit_hits
      WHERE bucket = ${rule.bucket} AND subject = ${hashed(rule.subject)} AND at > ${since}
      ORDER BY at DESC LIMIT 1 OFFSET ${rule.limit - 1}`;
    const at = row && this.sql.dialect.decodeTimestamp(row.at);
    if (!at) return null;
    return Math.max(1, Math.ceil((at.getTime() + rule.windowSeconds * 1000 - now.getTime()) / 1000));
  }

  // The first of `rules` that is exhausted, with its wait; null when none is.
  async firstExceeded(rules: RateLimit[]): Promise<{ rule: RateLimit; retryAfterSeconds: number } | null> {
    for (const rule of rules) {
      const wait = await this.retryAfterSeconds(rule);
      if (wait !== null) return { rule, retryAfterSeconds: wait };
    }
    return null;
  }

  async hit(keys: Pick<RateLimit, 'bucket' | 'subject'>[], now = new Date()): Promise<void> {
    const at = this.sql.dialect.encodeTimestamp(now);
    const expired = this.sql.dialect.encodeTimestamp(new Date(now.getTime() - MAX_WINDOW_SECONDS * 1000));
    await this.sql.transaction(async (tx) => {
      for (const key of keys)
        await tx.query`INSERT INTO rate_limit_hits (bucket, subject, at) VALUES (${key.bucket}, ${hashed(key.subject)}, ${at})`;
      await tx.query`DELETE FROM rate_limit_hits WHERE at < ${expired}`;
    });
  }

  async clear(key: Pick<RateLimit, 'bucket' | 'subject'>): Promise<void> {
    await this.sql.transaction(
      (tx) => tx.query`DELETE FROM rate_limit_hits WHERE bucket = ${key.bucket} AND subject = ${hashed(key.subject)}`,
    );
  }
}

// "3 minutes", "40 seconds": the real wait, as a person reads it.
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
