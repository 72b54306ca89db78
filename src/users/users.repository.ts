import { Injectable } from '@nestjs/common';
import type { UserRole } from '../auth/user-role';
import { readBrokerName } from '../brokers/brokers.repository';
import type { CurrentUser } from '../common/request-context';
import { SqlService, templateOf, type SqlReader, type SqlTemplate, type Tx } from '../database/sql.service';
import type { SignInMethod } from './sign-in-method';
import { User } from './user.entity';

// Who a user is, where mail to them goes, and whether they may still sign in: what other features read of a user.
export interface UserSummary {
  id: number;
  brokerId: number;
  email: string;
  name: string;
  role: UserRole;
  active: boolean;
}

interface UserSummaryRow {
  id: number;
  broker_id: number;
  email: string;
  name: string;
  role: UserRole;
  active: boolean | number;
}

const toUserSummary = (row: UserSummaryRow): UserSummary => ({
  id: row.id,
  brokerId: row.broker_id,
  email: row.email,
  name: row.name,
  role: row.role,
  active: Boolean(row.active),
});

// Read in the caller's transaction when it passes one (`Pick<Tx, 'query'>`), so that a lock it holds is not waited on.
type Reader = Pick<Tx, 'query'>;

const readSummary = async (query: SqlTemplate, userId: number): Promise<UserSummary | null> => {
  const [row] = await query<UserSummaryRow>`
    SELECT id, broker_id, email, name, role, active FROM users WHERE id = ${userId}`;
  return row ? toUserSummary(row) : null;
};

// The signed-in user of a session, if still active: plain indexed lookups rather than an entity query, as it is read
// on every request (by the app, and by the bench's bare server).
export async function readSessionUser(reader: SqlReader, userId: number): Promise<CurrentUser | null> {
  const user = await readSummary(templateOf(reader), userId);
  if (!user?.active) return null;
  const brokerName = await readBrokerName(reader, user.brokerId);
  if (brokerName === null) return null;
  return { id: user.id, brokerId: user.brokerId, brokerName, email: user.email, name: user.name, role: user.role };
}

// The users table. Entities for the users page and sign-in; plain statements for what is read per request or by
// other features. Emails are stored lower-cased: callers pass them normalised.
@Injectable()
export class UsersRepository {
  constructor(private readonly sql: SqlService) {}

  async anyExists(reader: Pick<Tx, 'manager'> = this.sql): Promise<boolean> {
    return (await reader.manager.count(User, { take: 1 })) > 0;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.sql.manager.findOneBy(User, { email });
  }

  emailTaken(tx: Tx, email: string): Promise<boolean> {
    return tx.manager.existsBy(User, { email });
  }

  sessionUser(userId: number): Promise<CurrentUser | null> {
    return readSessionUser(this.sql, userId);
  }

  summary(userId: number, reader: Reader = this.sql): Promise<UserSummary | null> {
    return readSummary(reader.query, userId);
  }

  async summaryByEmail(email: string): Promise<UserSummary | null> {
    const [row] = await this.sql.query<UserSummaryRow>`
      SELECT id, broker_id, email, name, role, active FROM users WHERE email = ${email}`;
    return row ? toUserSummary(row) : null;
  }

  async summaryInBroker(userId: number, brokerId: number, reader: Reader = this.sql): Promise<UserSummary | null> {
    const user = await readSummary(reader.query, userId);
    return user?.brokerId === brokerId ? user : null;
  }

  listInBroker(brokerId: number): Promise<User[]> {
    return this.sql.manager.find(User, { where: { brokerId }, order: { active: 'DESC', name: 'ASC' } });
  }

  findInBroker(tx: Tx, id: number, brokerId: number): Promise<User | null> {
    return tx.manager.findOneBy(User, { id, brokerId });
  }

  insert(tx: Tx, user: Pick<User, 'brokerId' | 'email' | 'name' | 'role' | 'passwordHash'>): Promise<User> {
    return tx.manager.save(tx.manager.create(User, { ...user, active: true }));
  }

  save(tx: Tx, user: User): Promise<User> {
    return tx.manager.save(user);
  }

  async recordSignIn(tx: Tx, userId: number, at: Date, method: SignInMethod): Promise<void> {
    await tx.manager.update(User, { id: userId }, { lastSignInAt: at, lastSignInMethod: method });
  }

  // The broker's active admins, locked on PostgreSQL until the transaction ends (SQLite's one writer already holds
  // the database): two admins demoting each other at once cannot both succeed.
  async lockActiveAdmins(tx: Tx, brokerId: number): Promise<number[]> {
    const rows = await tx.run<{ id: number }>(
      `SELECT id FROM users WHERE broker_id = ${tx.dialect.placeholder(1)} AND role = 'admin' AND active = TRUE
       ORDER BY id${tx.dialect.forUpdate()}`,
      [brokerId],
    );
    return rows.map((row) => row.id);
  }

  // Holds the user's row until the transaction ends, so that work counted per user is done one after the other.
  async lock(tx: Tx, userId: number): Promise<void> {
    const lock = tx.dialect.forUpdate();
    if (lock) await tx.run(`SELECT id FROM users WHERE id = ${tx.dialect.placeholder(1)}${lock}`, [userId]);
  }

  async passwordHash(userId: number): Promise<string | null> {
    const [row] = await this.sql.query<{ password_hash: string }>`SELECT password_hash FROM users WHERE id = ${userId}`;
    return row?.password_hash ?? null;
  }

  // Compared with `expected` when given: a change made meanwhile (another tab, a reset) wins. Whether it was set.
  async setPasswordHash(tx: Tx, userId: number, hash: string, expected?: string): Promise<boolean> {
    const where = expected === undefined ? { id: userId } : { id: userId, passwordHash: expected };
    const { affected } = await tx.manager.update(User, where, { passwordHash: hash });
    return Boolean(affected);
  }
}
