import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditAnchor } from '../../src/audit/audit-anchor';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { AuditVerifier } from '../../src/audit/audit-verifier.service';
import { runForBroker, type Actor } from '../../src/common/request-context';
import { SqlService } from '../../src/database/sql.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { RecurringJobs } from '../../src/jobs/recurring-jobs.service';
import { auditEvents, tamperWithAuditEvents, type StoredAuditEvent } from '../support/audit';
import { cli } from '../support/cli';
import { setUpFirstAdmin } from '../support/http';
import { FAST_JOBS_ENV, waitForJob } from '../support/jobs';
import { gate } from '../support/sandbox';
import { createTestApp, type TestApp } from '../support/test-app';

const ADA: Actor = { type: 'user', id: 41, label: 'ada@contoso.test' };

describe('AuditTrail', () => {
  let testApp: TestApp;
  let sql: SqlService;
  let audit: AuditTrail;
  let verifier: AuditVerifier;

  beforeAll(async () => {
    testApp = await createTestApp();
    sql = testApp.app.get(SqlService);
    audit = testApp.app.get(AuditTrail);
    verifier = testApp.app.get(AuditVerifier);
  });
  afterAll(() => testApp.close());

  it('should append an event in the caller transaction, chained to the one before, and keep nothing of a rollback', async () => {
    const first = await sql.transaction((tx) =>
      audit.record(tx, {
        action: 'test.first',
        brokerId: 1,
        actor: ADA,
        subject: { type: 'user', id: 8 },
        data: { a: 1 },
      }),
    );
    await expect(
      sql.transaction(async (tx) => {
        await audit.record(tx, { action: 'test.rolled_back', brokerId: 1, actor: ADA });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const second = await sql.transaction((tx) => audit.record(tx, { action: 'test.second', brokerId: 1, actor: ADA }));

    const events = await auditEvents(testApp);
    expect(events.map((event) => [event.action, event.chain_id, event.seq])).toEqual([
      ['test.first', 1, 1],
      ['test.second', 1, 2],
    ]);
    expect(events[0]).toMatchObject({
      id: first.id,
      hash: first.hash,
      prev_hash: '0'.repeat(64),
      broker_id: 1,
      actor_type: 'user',
      actor_id: 41,
      actor_label: 'ada@contoso.test',
      subject_type: 'user',
      subject_id: '8',
    });
    expect(JSON.parse(events[0].data)).toEqual({ a: 1 });
    expect(events[1]).toMatchObject({ id: second.id, prev_hash: first.hash, hash: second.hash });
    expect(await verifier.verify()).toMatchObject({ ok: true });
  });

  it('should take the broker and the actor from the context, and keep one chain per broker plus one without', async () => {
    const actor: Actor = { type: 'system', jobId: 5, label: 'job 5 (sync)' };
    await runForBroker(2, () => sql.transaction((tx) => audit.record(tx, { action: 'test.in_context' })), actor);
    await sql.transaction((tx) => audit.record(tx, { action: 'test.no_broker', brokerId: null }));
    await runForBroker(2, () => sql.transaction((tx) => audit.record(tx, { action: 'test.in_context' })), actor);

    const events = await auditEvents(testApp);
    expect(events.filter((event) => event.action === 'test.in_context')).toEqual([
      expect.objectContaining({ broker_id: 2, chain_id: 2, seq: 1, actor_type: 'system', actor_id: 5 }),
      expect.objectContaining({ broker_id: 2, chain_id: 2, seq: 2, actor_label: 'job 5 (sync)' }),
    ]);
    expect(events.find((event) => event.action === 'test.no_broker')).toMatchObject({
      broker_id: null,
      chain_id: 0,
      seq: 1,
      actor_type: 'system',
      actor_label: 'system',
    });
    const result = await verifier.verify();
    expect(result.ok && result.chains.map((chain) => [chain.brokerId, chain.events])).toEqual([
      [null, 1],
      [1, 2],
      [2, 2],
    ]);
  });

  it('should keep one unbroken chain when many transactions append at once, one of them held open', async () => {
    const held = gate();
    const slow = sql.transaction(async (tx) => {
      await audit.record(tx, { action: 'test.concurrent', brokerId: 3, actor: ADA });
      await held.held;
    });
    const others = Array.from({ length: 20 }, () =>
      sql.transaction((tx) => audit.record(tx, { action: 'test.concurrent', brokerId: 3, actor: ADA })),
    );
    held.open();
    await Promise.all([slow, ...others]);
    const chain = (await auditEvents(testApp)).filter((event) => event.chain_id === 3);
    expect(chain.map((event) => event.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    chain.slice(1).forEach((event, i) => expect(event.prev_hash).toBe(chain[i].hash));
    expect(await verifier.verify()).toMatchObject({ ok: true });
  });

  it('should refuse to update or delete an event (append-only)', async () => {
    await expect(sql.transaction((tx) => tx.run(`UPDATE audit_events SET action = 'x'`, []))).rejects.toThrow(
      /append-only/,
    );
    await expect(sql.transaction((tx) => tx.run('DELETE FROM audit_events', []))).rejects.toThrow(/append-only/);
  });

  it('should list the events about a subject within the current broker only', async () => {
    await sql.transaction(async (tx) => {
      await audit.record(tx, {
        action: 'test.about',
        brokerId: 4,
        subject: { type: 'thing', id: 'x1' },
        data: { n: 1 },
      });
      await audit.record(tx, { action: 'test.about', brokerId: 5, subject: { type: 'thing', id: 'x1' } });
      await audit.record(tx, { action: 'test.about', brokerId: 4, subject: { type: 'thing', id: 'x2' } });
    });
    const mine = await runForBroker(4, () => audit.forSubject('thing', 'x1'));
    expect(mine).toEqual([
      expect.objectContaining({ action: 'test.about', actorType: 'system', actorLabel: 'system', data: { n: 1 } }),
    ]);
    expect(mine[0].createdAt).toBeInstanceOf(Date);
    expect(mine[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should name the first event whose content, link or place no longer matches', async () => {
    const events = (await auditEvents(testApp)).filter((event) => event.chain_id === 3);
    await tamperWithAuditEvents(
      testApp,
      `UPDATE audit_events SET data = '{"a":2}' WHERE id = ${sql.dialect.placeholder(1)}`,
      [events[4].id],
    );
    expect(await verifier.verify()).toMatchObject({
      ok: false,
      broken: { chainId: 3, brokerId: 3, eventId: events[4].id, seq: 5, reason: expect.stringContaining('content') },
    });
  });

  it("should check one broker's chain alone, as the whole check does", async () => {
    const brokerOne = (await auditEvents(testApp)).filter((event) => event.chain_id === 1);
    await expect(verifier.verifyBroker(1)).resolves.toEqual({
      chainId: 1,
      brokerId: 1,
      events: brokerOne.length,
      headHash: brokerOne.at(-1)?.hash,
    });
    const broken = (await verifier.verify()) as { broken: unknown };
    await expect(verifier.verifyBroker(3)).resolves.toEqual(broken.broken);
    await expect(verifier.verifyBroker(999)).resolves.toMatchObject({ brokerId: 999, events: 0 });
  });
});

// Two app processes share one database in production only on PostgreSQL (SQLite is one process's file).
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres('AuditTrail across two app instances on one PostgreSQL database', () => {
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    one = await createTestApp();
    two = await createTestApp({ dataDir: one.dataDir });
  });
  afterAll(async () => {
    await two.close();
    await one.close();
  });

  it('should keep one unbroken chain per broker when both append at once', async () => {
    const append = (app: TestApp, i: number) =>
      app.app
        .get(SqlService)
        .transaction((tx) => app.app.get(AuditTrail).record(tx, { action: `test.instance`, brokerId: 1, data: { i } }));
    await Promise.all(Array.from({ length: 40 }, (_, i) => append(i % 2 === 0 ? one : two, i)));

    const events = await auditEvents(one);
    expect(events).toHaveLength(40);
    expect(events.map((event) => event.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(events.map((event) => JSON.parse(event.data).i)).size).toBe(40);
    const result = await two.app.get(AuditVerifier).verify();
    expect(result).toEqual({ ok: true, chains: [expect.objectContaining({ brokerId: 1, events: 40 })] });
  });
});

describe('The audit chain anchored outside the database', () => {
  it('should log the signed heads daily, show them on the page, and catch a chain whose end was cut off', async () => {
    const testApp = await createTestApp({ env: FAST_JOBS_ENV });
    const heads = join(mkdtempSync(join(tmpdir(), 'mca-heads-')), 'log.jsonl');
    let cut: StoredAuditEvent;
    try {
      const { agent } = await setUpFirstAdmin(testApp);
      const sql = testApp.app.get(SqlService);
      for (let i = 0; i < 3; i++)
        await sql.transaction((tx) => testApp.app.get(AuditTrail).record(tx, { action: 'test.event', brokerId: 1 }));
      expect(await testApp.app.get(RecurringJobs).nextRunAt('audit.anchor')).not.toBeNull();
      // The daily job, run now: its log line is what a log store keeps.
      const logged = jest.spyOn(Logger.prototype, 'log');
      const jobId = (await sql.transaction((tx) => testApp.app.get(JobQueue).enqueue(tx, 'audit.anchor', {})))!;
      await waitForJob(testApp, jobId, ['succeeded']);
      const line = logged.mock.calls
        .map(([message]) => message as { auditAnchor?: AuditAnchor })
        .find((m) => m?.auditAnchor);
      logged.mockRestore();
      expect(line?.auditAnchor?.heads).toEqual([expect.objectContaining({ chainId: 1, seq: expect.any(Number) })]);
      writeFileSync(heads, `{"level":30,"msg":"started"}\n${JSON.stringify({ level: 30, ...line })}\n`);
      cut = (await auditEvents(testApp)).filter((event) => event.chain_id === 1).pop()!;
      expect(line!.auditAnchor!.heads[0]).toEqual({ chainId: 1, seq: cut.seq, hash: cut.hash });

      const page = await agent.get('/audit');
      expect(page.text).toMatch(
        /Chain head last anchored <time datetime="[^"]+">[^<]+<\/time>, signed, in the log: event \d+/,
      );
      expect(page.text).toContain(cut.hash);

      // The issue's attack: the last event deleted and its chain's head moved back one.
      await tamperWithAuditEvents(testApp, `DELETE FROM audit_events WHERE id = ${cut.id}`, []);
      await sql.transaction((tx) =>
        tx.run(`UPDATE audit_chain_heads SET seq = seq - 1, hash = ${tx.dialect.placeholder(1)} WHERE chain_id = 1`, [
          cut.prev_hash,
        ]),
      );
    } finally {
      await testApp.close();
    }

    const plain = await cli(testApp.dataDir, ['audit:verify']);
    expect(plain.code).toBe(0);
    const anchored = await cli(testApp.dataDir, ['audit:verify', '--heads', heads]);
    expect(anchored.code).toBe(1);
    expect(anchored.stderr).toContain(
      `the chain of broker 1 ends at seq ${cut.seq - 1}, but it reached seq ${cut.seq} (hash ${cut.hash})`,
    );
    expect(anchored.stderr).toContain('events were removed from its end');
    const byHash = await cli(testApp.dataDir, ['audit:verify', '--head', cut.hash]);
    expect(byHash.code).toBe(1);
    expect(byHash.stderr).toContain(`no event has the hash ${cut.hash}`);

    // A heads file changed to fit the cut chain is refused by its signature.
    const forged = readFileSync(heads, 'utf8').replace(`"seq":${cut.seq}`, `"seq":${cut.seq - 1}`);
    writeFileSync(heads, forged.replace(cut.hash, cut.prev_hash));
    const refused = await cli(testApp.dataDir, ['audit:verify', '--heads', heads]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("not signed with this installation's APP_SECRET");
  });
});
