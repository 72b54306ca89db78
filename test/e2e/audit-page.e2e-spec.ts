import type TestAgent from 'supertest/lib/agent';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { SqlService } from '../../src/database/sql.service';
import { createUser, setUpFirstAdmin, signIn } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

const eventIds = (html: string) => [...html.matchAll(/id="audit-event-(\d+)"/g)].map((m) => Number(m[1]));
const decode = (text: string) => text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const link = (html: string, id: string) => {
  const href = /href="([^"]+)"/.exec(new RegExp(`<a id="${id}" [^>]+>`).exec(html)?.[0] ?? '')?.[1];
  return href === undefined ? null : decode(href);
};

describe('Audit trail page', () => {
  let testApp: TestApp;
  let admin: TestAgent;
  let brokerId: number;
  let otherBrokerId: number;

  const record = (broker: number, action: string, data: Record<string, unknown> = {}, subjectId = 's1') =>
    testApp.app.get(SqlService).transaction((tx) =>
      testApp.app.get(AuditTrail).record(tx, {
        action,
        brokerId: broker,
        actor: { type: 'system', jobId: 9, label: 'job 9 (test)' },
        subject: { type: 'widget', id: subjectId },
        data,
      }),
    );

  beforeAll(async () => {
    testApp = await createTestApp();
    admin = (await setUpFirstAdmin(testApp)).agent;
    const sql = testApp.app.get(SqlService);
    brokerId = Number((await sql.query<{ id: number }>`SELECT id FROM brokers`)[0].id);
    await sql.transaction((tx) => tx.query`INSERT INTO brokers (name) VALUES (${'Northwind'})`);
    otherBrokerId = Number((await sql.query<{ id: number }>`SELECT id FROM brokers WHERE name = ${'Northwind'}`)[0].id);
    await createUser(testApp, otherBrokerId, 'nina@northwind.test', 'admin', 'Nina Northwind');
    await record(otherBrokerId, 'widget.secret', { note: 'northwind only' });
  });
  afterAll(() => testApp.close());

  it('should show the admin the events of their broker, newest first, linked from the navigation', async () => {
    const page = await admin.get('/audit');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/audit" aria-current="page">Audit trail</a>');
    expect(page.text).toContain('Organisation set up');
    expect(page.text).toContain('User created');
    expect(page.text).toContain('ada@contoso.test');
    const ids = eventIds(page.text);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });

  it("should never show another broker's events, whatever the filters", async () => {
    for (const url of [
      '/audit',
      '/audit?action=widget',
      '/audit?subjectType=widget&subjectId=s1',
      '/audit?actor=job',
    ]) {
      const page = await admin.get(url);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('northwind only');
      expect(page.text).not.toContain('widget.secret');
    }
    const nina = (await signIn(testApp, 'nina@northwind.test')).agent;
    const theirs = await nina.get('/audit');
    expect(theirs.text).toContain('northwind only');
    expect(theirs.text).not.toContain('ada@contoso.test');
  });

  it('should refuse operators and viewers, and not show them the link', async () => {
    await createUser(testApp, brokerId, 'olga@contoso.test', 'operator');
    await createUser(testApp, brokerId, 'vic@contoso.test', 'viewer');
    for (const email of ['olga@contoso.test', 'vic@contoso.test']) {
      const { agent } = await signIn(testApp, email);
      const refused = await agent.get('/audit');
      expect(refused.status).toBe(403);
      expect((await agent.get('/')).text).not.toContain('href="/audit"');
    }
    expect((await testApp.app.get(SqlService).query`SELECT 1 FROM brokers`).length).toBe(2);
  });

  it('should filter by action (a family or one), actor, subject and dates', async () => {
    await record(brokerId, 'widget.made', { colour: 'red' }, 'w1');
    await record(brokerId, 'widget.painted', { colour: 'blue' }, 'w1');
    await record(brokerId, 'widget.made', { colour: 'green' }, 'w2');

    const family = await admin.get('/audit?action=widget');
    expect(eventIds(family.text)).toHaveLength(3);
    const one = await admin.get('/audit?action=widget.made');
    expect(eventIds(one.text)).toHaveLength(2);
    expect(one.text).toContain('value="widget.made"');
    const subject = await admin.get('/audit?subjectType=widget&subjectId=w1');
    expect(eventIds(subject.text)).toHaveLength(2);
    expect(subject.text).toContain('blue');
    expect(subject.text).not.toContain('green');
    // The subject of a row links to every event about it.
    expect(decode(family.text)).toContain('href="/audit?action=widget&subjectType=widget&subjectId=w2"');
    const actor = await admin.get('/audit?actor=JOB%209');
    expect(eventIds(actor.text)).toHaveLength(3);
    expect((await admin.get('/audit?actor=ada@contoso')).text).toContain('Organisation set up');

    const today = new Date().toISOString().slice(0, 10);
    expect(eventIds((await admin.get(`/audit?action=widget&from=${today}&to=${today}`)).text)).toHaveLength(3);
    const future = await admin.get('/audit?action=widget&from=2999-01-01');
    expect(eventIds(future.text)).toHaveLength(0);
    expect(future.text).toContain('No event matches these filters.');
    expect(eventIds((await admin.get('/audit?action=widget&to=2000-01-01')).text)).toHaveLength(0);
  });

  it('should refuse bad filters with a message next to the field, and no 500', async () => {
    const page = await admin.get(`/audit?from=yesterday&to=2026-02-30&actor=${'x'.repeat(301)}`);
    expect(page.status).toBe(422);
    expect(page.text).toMatch(/id="audit-from-error">Enter a date like 2026-11-30</);
    expect(page.text).toMatch(/id="audit-to-error">Enter a date like 2026-11-30</);
    expect(page.text).toContain('Actor must be at most 300 characters');
    const reversed = await admin.get('/audit?from=2026-11-30&to=2026-11-01');
    expect(reversed.status).toBe(422);
    expect(reversed.text).toContain('The end date is before the start date');
    expect((await admin.get('/audit?action=%25&subjectId=_')).status).toBe(200);
    expect((await admin.get('/audit?before=abc&after=-1')).status).toBe(200);
    expect((await admin.get('/audit?action=a&action=b')).status).toBe(200);
  });

  it('should page through many events, older and back newer, with plain links', async () => {
    for (let i = 0; i < 120; i += 1) await record(brokerId, 'bulk.event', { i });
    const first = await admin.get('/audit?action=bulk');
    const firstIds = eventIds(first.text);
    expect(firstIds).toHaveLength(50);
    expect(link(first.text, 'audit-newer')).toBeNull();
    const olderUrl = link(first.text, 'audit-older') as string;
    expect(olderUrl).toBe(`/audit?action=bulk&before=${firstIds[49]}`);

    const second = await admin.get(olderUrl);
    const secondIds = eventIds(second.text);
    expect(secondIds).toHaveLength(50);
    expect(secondIds[0]).toBeLessThan(firstIds[49]);
    const third = await admin.get(link(second.text, 'audit-older') as string);
    const thirdIds = eventIds(third.text);
    expect(thirdIds).toHaveLength(20);
    expect(link(third.text, 'audit-older')).toBeNull();
    expect(new Set([...firstIds, ...secondIds, ...thirdIds]).size).toBe(120);

    const back = await admin.get(link(third.text, 'audit-newer') as string);
    expect(eventIds(back.text)).toEqual(secondIds);
    const top = await admin.get(link(back.text, 'audit-newer') as string);
    expect(eventIds(top.text)).toEqual(firstIds);
    expect(link(top.text, 'audit-newer')).toBeNull();
  });

  it('should answer htmx with the filters and results only', async () => {
    const fragment = await admin.get('/audit?action=widget').set('HX-Request', 'true');
    expect(fragment.status).toBe(200);
    expect(fragment.text).not.toContain('<html');
    expect(fragment.text).toContain('id="audit-filters"');
    expect(eventIds(fragment.text)).toHaveLength(3);
    const refused = await admin.get('/audit?from=nope').set('HX-Request', 'true');
    expect(refused.status).toBe(422);
    expect(refused.text).not.toContain('<html');
    expect(refused.text).toContain('Enter a date like 2026-11-30');
  });
});
