import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock } from '../common/clock';
import type { Tx } from '../database/sql.service';
import { RateLimitsRepository, type HitKey } from './rate-limits.repository';

export interface RateLimit {
  bucket: string; // what is counted, e.g. 'sign-in-failure:email'
  subject: string; // whom it is counted for (an email, an address); stored hashed
  limit: number; // hits allowed within the window
  windowSeconds: number;
}

// Rows older than this are never counted: no window may be longer.
export const MAX_WINDOW_SECONDS = 86_400;

const keyOf = (rule: Pick<RateLimit, 'bucket' | 'subject'>): HitKey => ({
  bucket: rule.bucket,
  subjectHash: createHash('sha256').update(rule.subject).digest('hex'),
});

// Sliding-window counts kept in the database, shared by every instance of the app.
@Injectable()
export class RateLimits {
  constructor(
    private readonly hits: RateLimitsRepository,
    private readonly clock: Clock,
  ) {}

  // How long until one more hit is allowed (seconds), or null when it is allowed now. The limit-th newest hit in
  // the window is the one whose expiry brings the count back under the limit. Read in `reader` when given (a
  // transaction that holds a lock, which must not wait for a second pooled connection).
  async retryAfterSeconds(rule: RateLimit, now = this.clock.now(), reader?: Pick<Tx, 'query'>): Promise<number | null> {
    const since = new Date(now.getTime() - rule.windowSeconds * 1000);
    const at = await this.hits.nthNewestSince(keyOf(rule), since, rule.limit, reader);
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

  async hit(keys: Pick<RateLimit, 'bucket' | 'subject'>[], now = this.clock.now()): Promise<void> {
    await this.hits.add(keys.map(keyOf), now, new Date(now.getTime() - MAX_WINDOW_SECONDS * 1000));
  }

  async clear(key: Pick<RateLimit, 'bucket' | 'subject'>): Promise<void> {
    await this.hits.clear(keyOf(key));
  }
}

// "3 minutes", "40 seconds": the real wait, as a person reads it.
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
