import type TestAgent from 'supertest/lib/agent';
import { setUpFirstAdmin } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';
import { brokerIdOf, createBroker, seedTenants } from '../support/tenants';

const names = (html: string): string[] =>
  [...html.matchAll(/<span class="tenant-name" dir="auto">([^<]*)<\/span>/g)].map((m) => m[1]);
const resultLine = (html: string): string =>
  (/<p class="mca-result-text"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, '').trim();
const announced = (html: string): string => /data-announce="([^"]*)"/.exec(html)?.[1] ?? '';
const SHORT_HINT = 'A search of one or two characters matches the start of tenant names only';

// A term of one or two characters has no trigram: it matches the start of names through an index, and the page
// says so on every answer, with or without results.
describe('Short searches say what they match', () => {
  let testApp: TestApp;
  let admin: TestAgent;

  beforeAll(async () => {
    testApp = await createTestApp();
    admin = (await setUpFirstAdmin(testApp)).agent;
    await seedTenants(
      testApp,
      await brokerIdOf(testApp, 'ada@contoso.test'),
      ['Coho Winery', 'Alpine Ski House', 'Holiday Inns', 'Hotel Ho', 'Contoso Ltd', 'Fabrikam'].map((name) => ({
        name,
      })),
    );
  });
  afterAll(() => testApp.close());

  it.each([
    ['ho', ['Holiday Inns', 'Hotel Ho'], 'Showing 1–2 of 2 tenants whose name starts with “ho”'],
    ['H', ['Holiday Inns', 'Hotel Ho'], 'Showing 1–2 of 2 tenants whose name starts with “H”'],
    ['co', ['Coho Winery', 'Contoso Ltd'], 'Showing 1–2 of 2 tenants whose name starts with “co”'],
  ])('should say that %j matched the start of names, with the results', async (q, expected, line) => {
    for (const fragment of [false, true]) {
      const page = await admin.get(`/mca?q=${encodeURIComponent(q)}`).set(fragment ? { 'HX-Request': 'true' } : {});
      expect(page.status).toBe(200);
      expect(names(page.text)).toEqual(expected);
      expect(resultLine(page.text)).toBe(line);
      expect(announced(page.text)).toContain(`whose name starts with “${q}”`);
      expect(page.text).toContain(SHORT_HINT);
    }
  });

  it('should say so when a short term matches no start of a name', async () => {
    const page = await admin.get('/mca?q=us');
    expect(names(page.text)).toEqual([]);
    expect(page.text).toContain('No tenant matches “us”');
    expect(page.text).toContain('A search of one or two characters matches the start of tenant names');
  });

  it('should find a term of three characters anywhere, and say "matching" without the hint', async () => {
    const page = await admin.get('/mca?q=hou');
    expect(names(page.text)).toEqual(['Alpine Ski House']);
    expect(resultLine(page.text)).toBe('Showing 1–1 of 1 tenant matching “hou”');
    expect(page.text).not.toContain(SHORT_HINT);
    expect(names((await admin.get('/mca?q=oho')).text)).toEqual(['Coho Winery']);
  });

  // On SQLite a term is read between the broker's first and last id: alone where the broker holds most of that span
  // (each match then read and kept if it is the broker's), with the broker's word where another broker's tenants
  // fill it. Either way a broker finds its own tenants only.
  it("should find a broker's own tenants when another broker's were written between them", async () => {
    const ada = await brokerIdOf(testApp, 'ada@contoso.test');
    const other = await createBroker(testApp, 'Interleaved Partner');
    const others = (count: number, from: number) =>
      seedTenants(
        testApp,
        other,
        Array.from({ length: count }, (_, i) => ({ name: `Other Interleaf ${from + i}` })),
      );
    const found = async () => {
      const page = await admin.get('/mca?q=interleaf');
      return { names: names(page.text), line: resultLine(page.text) };
    };
    await seedTenants(testApp, ada, [{ name: 'Alpha Interleaf' }]);
    await others(3, 1);
    await seedTenants(testApp, ada, [{ name: 'Beta Interleaf' }]);
    expect(await found()).toEqual({
      names: ['Alpha Interleaf', 'Beta Interleaf'],
      line: 'Showing 1–2 of 2 tenants matching “interleaf”',
    });
    await others(40, 4);
    await seedTenants(testApp, ada, [{ name: 'Omega Interleaf' }]);
    expect(await found()).toEqual({
      names: ['Alpha Interleaf', 'Beta Interleaf', 'Omega Interleaf'],
      line: 'Showing 1–3 of 3 tenants matching “interleaf”',
    });
  });
});
