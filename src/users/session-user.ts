import type { CurrentUser } from '../common/request-context';
import { templateOf, type SqlReader } from '../database/sql.service';
import type { UserRole } from '../auth/user-role';

interface SessionUserRow {
  id: number;
  broker_id: number;
  email: string;
  name: string;
  role: UserRole;
  active: boolean | number;
  broker_name: string;
}

// The signed-in user of a session, if still active: a plain indexed lookup rather than an entity query, as it is
// read on every request.
export async function readSessionUser(reader: SqlReader, userId: number): Promise<CurrentUser | null> {
  const [row] = await templateOf(reader)<SessionUserRow>`
    SELECT u.id, u.broker_id, u.email, u.name, u.role, u.active, b.name AS broker_name
    FROM users u JOIN brokers b ON b.id = u.broker_id WHERE u.id = ${userId}`;
  if (!row || !row.active) return null;
  return {
    id: row.id,
    brokerId: row.broker_id,
    brokerName: row.broker_name,
    email: row.email,
    name: row.name,
    role: row.role,
  };
}
