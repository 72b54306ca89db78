import type { SessionData } from 'express-session';
import { POSTGRES } from '../database/dialect';
import type { SqlService } from '../database/sql.service';
import type { SessionRecord } from './session.entity';
import { TypeormSessionStore } from './typeorm-session.store';

// Records the writes a store makes; the store's SQL itself is exercised by the e2e suite on both databases.
function recordingRepository(row: SessionRecord | null) {
  const writes: string[] = [];
  const sessions = {
    upsert: async () => writes.push('upsert'),
    update: async () => writes.push('update'),
    delete: async () => writes.push('delete'),
  };
  // Reads arrive as SQL, answered here in the shape PostgreSQL gives; writes as a transaction's repository.
  const sql = {
    dialect: POSTGRES,
    run: async () => (row ? [{ data: row.data, expires_at: row.expiresAt }] : []),
    transaction: async (work: (tx: unknown) => Promise<unknown>) =>
      work({ manager: { getRepository: () => sessions } }),
  };
  return { repo: sql as unknown as SqlService, writes };
}

const sessionExpiringIn = (ms: number) =>
  ({ cookie: { expires: new Date(Date.now() + ms) } }) as unknown as SessionData;
const call = (fn: (cb: (err?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

describe(TypeormSessionStore.name, () => {
  const idleMs = 30 * 60_000;

  it('should not write when a rolling session is touched again within a minute', async () => {
    const row = { id: 's1', userId: 1, data: '{}', expiresAt: new Date(Date.now() + idleMs) } as SessionRecord;
    const { repo, writes } = recordingRepository(row);
    const store = new TypeormSessionStore(repo, idleMs);
    await call((cb) => store.get('s1', cb));
    await call((cb) => store.touch('s1', sessionExpiringIn(idleMs + 5_000), cb));
    expect(writes).toEqual([]);
  });

  it('should move the expiry when it would move by a minute or more', async () => {
    const row = { id: 's1', userId: 1, data: '{}', expiresAt: new Date(Date.now() + idleMs - 61_000) } as SessionRecord;
    const { repo, writes } = recordingRepository(row);
    const store = new TypeormSessionStore(repo, idleMs);
    await call((cb) => store.get('s1', cb));
    await call((cb) => store.touch('s1', sessionExpiringIn(idleMs), cb));
    await call((cb) => store.touch('s1', sessionExpiringIn(idleMs + 1_000), cb));
    expect(writes).toEqual(['update']);
  });

  it('should treat an expired row as no session', async () => {
    const row = { id: 's1', userId: 1, data: '{"a":1}', expiresAt: new Date(Date.now() - 1) } as SessionRecord;
    const store = new TypeormSessionStore(recordingRepository(row).repo, idleMs);
    await expect(new Promise((resolve) => store.get('s1', (_err, value) => resolve(value)))).resolves.toBeNull();
  });

  it("should report the row's expiry as the cookie's, even when a touch moved it without rewriting the data", async () => {
    const expiresAt = new Date(Date.now() + idleMs - 90_000);
    const stale = new Date(Date.now() + idleMs - 600_000).toISOString();
    const row = {
      id: 's1',
      userId: 1,
      data: JSON.stringify({ cookie: { expires: stale } }),
      expiresAt,
    } as SessionRecord;
    const store = new TypeormSessionStore(recordingRepository(row).repo, idleMs);
    const session = await new Promise<SessionData | null | undefined>((resolve) =>
      store.get('s1', (_err, value) => resolve(value)),
    );
    expect(session?.cookie.expires).toBe(expiresAt.toISOString());
  });
});
