import { Injectable } from '@nestjs/common';
import { LessThan, Not, type Repository } from 'typeorm';
import { SqlService, type Tx } from '../database/sql.service';
import { SessionRecord } from './session.entity';

export interface StoredSession {
  data: string;
  expiresAt: Date | null;
}

interface StoredSessionRow {
  data: string;
  expires_at: unknown;
}

// The sessions table: express-session's rows (through the store), and the end of a user's sessions (asked for by
// users/ when a user is deactivated or their password changes).
@Injectable()
export class SessionsRepository {
  // Read on every request: its text made once rather than from a template each time.
  private readonly readSql: string;

  constructor(private readonly sql: SqlService) {
    this.readSql = `SELECT data, expires_at FROM sessions WHERE id = ${sql.dialect.placeholder(1)}`;
  }

  // A plain indexed lookup rather than an entity query.
  async find(sid: string): Promise<StoredSession | null> {
    const [row] = await this.sql.run<StoredSessionRow>(this.readSql, [sid]);
    return row ? this.toStoredSession(row) : null;
  }

  async save(session: Pick<SessionRecord, 'id' | 'userId' | 'data' | 'expiresAt'>): Promise<void> {
    await this.write((sessions) => sessions.upsert(session, ['id']));
  }

  async setExpiry(sid: string, expiresAt: Date): Promise<void> {
    await this.write((sessions) => sessions.update({ id: sid }, { expiresAt }));
  }

  async delete(sid: string): Promise<void> {
    await this.write((sessions) => sessions.delete({ id: sid }));
  }

  // How many expired rows were removed.
  async deleteExpired(now: Date): Promise<number> {
    const { affected } = await this.write((sessions) => sessions.delete({ expiresAt: LessThan(now) }));
    return affected ?? 0;
  }

  // Signs the user out everywhere (but in `keep`, the session asking): how many sessions ended.
  async endForUser(tx: Tx, userId: number, keep?: string): Promise<number> {
    const where = keep === undefined ? { userId } : { userId, id: Not(keep) };
    const { affected } = await tx.manager.delete(SessionRecord, where);
    return affected ?? 0;
  }

  private write<T>(work: (sessions: Repository<SessionRecord>) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => work(tx.manager.getRepository(SessionRecord)));
  }

  private toStoredSession(row: StoredSessionRow): StoredSession {
    return { data: row.data, expiresAt: this.sql.dialect.decodeTimestamp(row.expires_at) };
  }
}
