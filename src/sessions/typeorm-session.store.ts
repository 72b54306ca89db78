import { Store, type SessionData } from 'express-session';
import { LessThan, type Repository } from 'typeorm';
import { SessionRecord } from './session.entity';

type Callback<T = void> = (err?: unknown, value?: T) => void;

interface PassportSessionData extends SessionData {
  passport?: { user?: number };
}

// express-session store in the app's own database, so sessions survive restarts and are shared by instances.
// (connect-typeorm pins TypeORM 0.3; this is the small part of it that we need.)
export class TypeormSessionStore extends Store {
  constructor(
    private readonly sessions: Repository<SessionRecord>,
    private readonly idleMs: number,
  ) {
    super();
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    this.sessions
      .findOneBy({ id: sid })
      .then((row) => callback(undefined, row && row.expiresAt.getTime() > Date.now() ? (JSON.parse(row.data) as SessionData) : null))
      .catch(callback);
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    const userId = (session as PassportSessionData).passport?.user ?? null;
    this.sessions
      .upsert({ id: sid, userId, data: JSON.stringify(session), expiresAt: this.expiry(session) }, ['id'])
      .then(() => callback?.())
      .catch((err) => callback?.(err));
  }

  override touch(sid: string, session: SessionData, callback?: Callback): void {
    this.sessions
      .update({ id: sid }, { expiresAt: this.expiry(session) })
      .then(() => callback?.())
      .catch((err) => callback?.(err));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.sessions
      .delete({ id: sid })
      .then(() => callback?.())
      .catch((err) => callback?.(err));
  }

  async destroyUserSessions(userId: number): Promise<void> {
    await this.sessions.delete({ userId });
  }

  async pruneExpired(): Promise<number> {
    const result = await this.sessions.delete({ expiresAt: LessThan(new Date()) });
    return result.affected ?? 0;
  }

  private expiry(session: SessionData): Date {
    const expires = session.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + this.idleMs);
  }
}
