import type TestAgent from 'supertest/lib/agent';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { SqlService } from '../../src/database/sql.service';
import { RateLimits } from '../../src/rate-limits/rate-limits.service';
import { VERIFY_LIMIT } from '../../src/audit/audit-verification.service';
import { tamperWithAuditEvents } from '../support/audit';
import { createUser, csrfTokenFrom, postForm, setUpFirstAdmin, signIn } from '../support/http';
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
    const edited = await admin.get('/audit?action=%25&subjectId=_');
    expect(edited.status).toBe(422);
    expect(edited.text).toMatch(/id="audit-action-error">Choose an action from the list</);
    expect((await admin.get('/audit?subjectId=_')).status).toBe(200);
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
  it('should name each action once, in words, and offer the same words in the action filter', async () => {
    const page = await admin.get('/audit?action=user');
    const row = (html: string, action: string) =>
      new RegExp(`<td data-label="Action" class="audit-action">${action}</td>`).test(html);
    expect(row(page.text, 'User created')).toBe(true);
    expect(page.text).not.toContain('user.created</');
    expect(page.text).toContain('<optgroup label="Users">');
    expect(page.text).toContain('<option value="user" selected>Users (all)</option>');
    expect(page.text).toContain('<option value="user.created">User created</option>');
    expect(page.text).toContain('<option value="attestation.finalize_requested">Finalize asked for</option>');
    const chosen = await admin.get('/audit?action=user.created');
    expect(chosen.text).toContain('<option value="user.created" selected>User created</option>');
    // An action the list does not name yet reads as words, and stays chosen in the filter.
    await record(brokerId, 'gadget.polished_twice', {}, 'g1');
    const unnamed = await admin.get('/audit?action=gadget.polished_twice');
    expect(row(unnamed.text, 'Gadget polished twice')).toBe(true);
    expect(unnamed.text).toContain('<option value="gadget.polished_twice" selected>Gadget polished twice</option>');
  });

  it('should show details as labelled fields and the hash shortened, in full on demand', async () => {
    const { id, hash } = await record(
      brokerId,
      'gadget.described',
      {
        tenantId: 12,
        signatory: { firstName: 'Ada', email: 'ada@customer.test' },
        recipients: ['a@x.test', 'b@x.test'],
        appSecretReplaced: false,
        expiresAt: '2026-11-30T22:05:00.000Z',
        note: null,
      },
      'g2',
    );
    const page = await admin.get('/audit?action=gadget.described');
    const html = new RegExp(`<tr id="audit-event-${id}">[\\s\\S]*?</tr>`).exec(page.text)?.[0] ?? '';
    const fields = [...html.matchAll(/<dt>([^<]+)<\/dt><dd>([\s\S]*?)<\/dd>/g)].map((m) => [m[1], m[2]]);
    // In the order the stored data keeps them (its keys sorted), nested ones under their parent's label.
    expect(fields.slice(0, 7)).toEqual([
      ['App secret replaced', 'No'],
      ['Expires at', '<time datetime="2026-11-30T22:05:00.000Z">30 Nov 2026, 22:05 UTC</time>'],
      ['Note', '–'],
      ['Recipients', 'a@x.test, b@x.test'],
      ['Signatory › Email', 'ada@customer.test'],
      ['Signatory › First name', 'Ada'],
      ['Tenant id', '12'],
    ]);
    expect(html).not.toContain('{&quot;');
    expect(html).toContain(`<code title="${hash}">${hash.slice(0, 10)}</code>`);
    expect(html).toContain(`<summary aria-label="Hash ${hash.slice(0, 10)}…, show in full">`);
    expect(html).toContain(`<dd><code>${hash}</code></dd>`);
  });

  it('should show a subject filter as what the list is about, with a way back to everything', async () => {
    const page = await admin.get('/audit?subjectType=report_schedule&subjectId=7');
    expect(page.text).toContain('Only events about <strong>Report schedule 7</strong>.');
    expect(page.text).toContain('<input type="hidden" name="subjectType" value="report_schedule">');
    expect(page.text).toMatch(/<a href="\/audit" [^>]+>Show events about everything<\/a>/);
    expect(page.text).not.toContain('npm run cli');
  });

  describe('Verify the chain', () => {
    const verify = (agent: TestAgent, htmx = false) =>
      agent.get('/audit').then((page) => {
        const post = agent.post('/audit/verify').type('form');
        if (htmx) post.set('HX-Request', 'true');
        return post.send({ _csrf: csrfTokenFrom(page.text) });
      });

    it("should verify the admin's chain and say so once on the page it redirects to", async () => {
      const events = Number(
        (
          await testApp.app.get(SqlService).query<{
            n: number;
          }>`SELECT COUNT(*) AS n FROM audit_events WHERE broker_id = ${brokerId}`
        )[0].n,
      );
      const answer = await verify(admin);
      expect(answer.status).toBe(303);
      expect(answer.headers.location).toBe('/audit');
      const page = await admin.get('/audit');
      expect(page.text).toMatch(
        new RegExp(`Chain verified at <time datetime="[^"]+">[^<]+ UTC</time>: ${events} events, intact\\.`),
      );
      expect((await admin.get('/audit')).text).not.toContain('Chain verified at');

      const swapped = await verify(admin, true);
      expect(swapped.status).toBe(200);
      expect(swapped.text).not.toContain('<html');
      expect(swapped.text).toContain(`${events} events, intact.`);
    });

    it('should name the first event that no longer matches when one was changed in the database', async () => {
      const first = await record(brokerId, 'gadget.tampered', { colour: 'red' }, 'g3');
      await record(brokerId, 'gadget.tampered', { colour: 'blue' }, 'g3');
      const p = testApp.app.get(SqlService).dialect.placeholder;
      await tamperWithAuditEvents(testApp, `UPDATE audit_events SET data = ${p(1)} WHERE id = ${p(2)}`, [
        '{"colour":"green"}',
        first.id,
      ]);
      const answer = await verify(admin, true);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('<strong>broken</strong>');
      expect(answer.text).toContain(`Event #${first.id} (gadget.tampered) does not match its hash`);
      expect(decode(answer.text)).toContain(`<a href="/audit?before=${first.id + 1}#audit-event-${first.id}">`);
      const shown = await admin.get(`/audit?before=${first.id + 1}`);
      expect(eventIds(shown.text)[0]).toBe(first.id);
      // Another broker's chain is its own: Northwind's is still intact.
      const nina = (await signIn(testApp, 'nina@northwind.test')).agent;
      const theirs = await testApp.app.get(SqlService).query<{ n: number }>`
        SELECT COUNT(*) AS n FROM audit_events WHERE broker_id = ${otherBrokerId}`;
      expect((await verify(nina, true)).text).toContain(`: ${Number(theirs[0].n)} events, intact.`);
    });

    it('should refuse operators, a POST without its CSRF token, and more checks than the hourly limit', async () => {
      const { agent: olga } = await signIn(testApp, 'olga@contoso.test');
      expect((await postForm(olga, '/mca', '/audit/verify', {})).status).toBe(403);
      expect((await admin.post('/audit/verify').type('form').send({})).status).toBe(403);

      const limits = testApp.app.get(RateLimits);
      const rule = { ...VERIFY_LIMIT, subject: String(otherBrokerId) };
      await limits.hit(Array.from({ length: VERIFY_LIMIT.limit }, () => rule));
      const nina = (await signIn(testApp, 'nina@northwind.test')).agent;
      const refused = await verify(nina, true);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3000);
      expect(refused.text).toContain(
        `The chain was verified ${VERIFY_LIMIT.limit} times in the last hour: try again in`,
      );
      expect((await verify(nina)).status).toBe(303);
      expect((await nina.get('/audit')).text).toContain('The chain was verified');
    });
  });
});
