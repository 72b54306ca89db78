import { Store, type SessionData } from 'express-session';
import type { Clock } from '../common/clock';
import type { SessionsRepository } from './sessions.repository';

type Callback<T = void> = (err?: unknown, value?: T) => void;

// A rolling session would otherwise be written on every request; moving its expiry at most once a minute keeps
// the idle timeout to within a minute and spares a write per page view (see also session-renewal.ts).
export const TOUCH_INTERVAL_MS = 60_000;
const MAX_KNOWN_EXPIRIES = 50_000;

interface PassportSessionData extends SessionData {
  passport?: { user?: number };
}

// express-session store in the app's own database, so sessions survive restarts and are shared by instances.
// (connect-typeorm pins TypeORM 0.3; this is the small part of it that we need.)
export class TypeormSessionStore extends Store {
  // The expiry last read or written per session id, by this instance (another instance only ever makes it later).
  private readonly knownExpiry = new Map<string, number>();

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    private readonly idleMs: number,
  ) {
    super();
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    this.sessions
      .find(sid)
      .then((row) => {
        const expiresAt = row?.expiresAt;
        if (!row || !expiresAt || expiresAt.getTime() <= this.clock.nowMs()) return callback(undefined, null);
        this.remember(sid, expiresAt);
        const session = JSON.parse(row.data) as SessionData;
        // The row's expiry is the one that counts (a touch moves it without rewriting the data): renewSession reads it.
        if (session.cookie) (session.cookie as { expires?: unknown }).expires = expiresAt.toISOString();
        callback(undefined, session);
      })
      .catch(callback);
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    const userId = (session as PassportSessionData).passport?.user ?? null;
    const expiresAt = this.expiry();
    this.remember(sid, expiresAt);
    this.sessions
      .save({ id: sid, userId, data: JSON.stringify(session), expiresAt })
      .then(() => callback?.())
      .catch((err) => callback?.(err));
  }

  override touch(sid: string, session: SessionData, callback?: Callback): void {
    const expiresAt = this.expiry();
    const known = this.knownExpiry.get(sid);
    if (known !== undefined && expiresAt.getTime() - known < TOUCH_INTERVAL_MS) return callback?.();
    this.remember(sid, expiresAt);
    this.sessions
      .setExpiry(sid, expiresAt)
      .then(() => callback?.())
      .catch((err) => callback?.(err));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.knownExpiry.delete(sid);
    this.sessions
      .delete(sid)
      .then(() => callback?.())
      .catch((err) => callback?.(err));
  }

  pruneExpired(): Promise<number> {
    return this.sessions.deleteExpired(this.clock.now());
  }

  private remember(sid: string, expiresAt: Date): void {
    if (this.knownExpiry.size >= MAX_KNOWN_EXPIRIES) this.knownExpiry.clear();
    this.knownExpiry.set(sid, expiresAt.getTime());
  }

  // The idle timeout counts from this write, on the app's clock (the cookie's own expiry is express-session's, on
  // the system's; the two agree but for the moments between them).
  private expiry(): Date {
    return new Date(this.clock.nowMs() + this.idleMs);
  }
}
