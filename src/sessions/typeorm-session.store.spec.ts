import type { SessionData } from 'express-session';
import { Clock } from '../common/clock';
import type { SessionsRepository, StoredSession } from './sessions.repository';
import { TypeormSessionStore } from './typeorm-session.store';

const NOW = Date.UTC(2026, 0, 5, 9, 0);
const clock = new (class extends Clock {
  override nowMs(): number {
    return NOW;
  }
})();

// Records the writes a store makes; the repository's SQL itself is exercised by the e2e suite on both databases.
function recordingRepository(row: StoredSession | null) {
  const writes: string[] = [];
  const sessions = {
    find: async () => row,
    save: async () => void writes.push('save'),
    setExpiry: async () => void writes.push('setExpiry'),
    delete: async () => void writes.push('delete'),
  };
  return { repo: sessions as unknown as SessionsRepository, writes };
}

const sessionExpiringIn = (ms: number) => ({ cookie: { expires: new Date(NOW + ms) } }) as unknown as SessionData;
const call = (fn: (cb: (err?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

describe(TypeormSessionStore.name, () => {
  const idleMs = 30 * 60_000;

  it('should not write when a rolling session is touched again within a minute', async () => {
    const { repo, writes } = recordingRepository({ data: '{}', expiresAt: new Date(NOW + idleMs) });
    const store = new TypeormSessionStore(repo, clock, idleMs);
    await call((cb) => store.get('s1', cb));
    await call((cb) => store.touch('s1', sessionExpiringIn(idleMs + 5_000), cb));
    expect(writes).toEqual([]);
  });

  it('should move the expiry when it would move by a minute or more', async () => {
    const { repo, writes } = recordingRepository({ data: '{}', expiresAt: new Date(NOW + idleMs - 61_000) });
    const store = new TypeormSessionStore(repo, clock, idleMs);
    await call((cb) => store.get('s1', cb));
    await call((cb) => store.touch('s1', sessionExpiringIn(idleMs), cb));
    await call((cb) => store.touch('s1', sessionExpiringIn(idleMs + 1_000), cb));
    expect(writes).toEqual(['setExpiry']);
  });

  it('should treat an expired row as no session', async () => {
    const row = { data: '{"a":1}', expiresAt: new Date(NOW - 1) };
    const store = new TypeormSessionStore(recordingRepository(row).repo, clock, idleMs);
    await expect(new Promise((resolve) => store.get('s1', (_err, value) => resolve(value)))).resolves.toBeNull();
  });

  it("should report the row's expiry as the cookie's, even when a touch moved it without rewriting the data", async () => {
    const expiresAt = new Date(NOW + idleMs - 90_000);
    const stale = new Date(NOW + idleMs - 600_000).toISOString();
    const row = { data: JSON.stringify({ cookie: { expires: stale } }), expiresAt };
    const store = new TypeormSessionStore(recordingRepository(row).repo, clock, idleMs);
    const session = await new Promise<SessionData | null | undefined>((resolve) =>
      store.get('s1', (_err, value) => resolve(value)),
    );
    expect(session?.cookie.expires).toBe(expiresAt.toISOString());
  });
});
