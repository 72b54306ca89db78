import request, { type Response } from 'supertest';
import { ApiTokensService } from '../../src/api-tokens/api-tokens.service';
import { RequestCountsPruneHandler } from '../../src/api-tokens/request-counts-prune.handler';
import { SqlService } from '../../src/database/sql.service';
import { apiClient, createApiToken } from '../support/api';
import { setUpFirstAdmin, signIn } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const LIMIT = 3;

// Every refusal of the API is problem details with a stable type, never a page and never a 500.
function expectProblem(response: Response, status: number, type: string): Record<string, unknown> {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(response.text) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `/api/v1/problems/${type}`, status, instance: expect.any(String) as unknown });
  expect(typeof body.detail).toBe('string');
  return body;
}

describe('The API refuses bad input', () => {
  let testApp: TestApp;
  const clock = new TestClock().set('2026-12-07T10:00:10Z');

  beforeAll(async () => {
    testApp = await createTestApp({ clock, env: { API_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
    await setUpFirstAdmin(testApp);
  });
  afterAll(() => testApp.close());

  // Each test's requests in a minute of their own, so that the rate limit only speaks in its own test.
  beforeEach(() => clock.advance(60_000));

  const post = (token: string) => request(testApp.server).post('/api/v1/token').set('Authorization', `Bearer ${token}`);

  it('should answer malformed JSON with 400, a body that is not JSON with 415 and a body over 1 MB with 413', async () => {
    const token = await createApiToken(testApp, 1);
    expectProblem(await post(token).set('Content-Type', 'application/json').send('{"name": '), 400, 'bad-request');
    expectProblem(await post(token).set('Content-Type', 'application/json').send('[1, 2,]'), 400, 'bad-request');
    const form = expectProblem(await post(token).type('form').send('name=x'), 415, 'unsupported-media-type');
    expect(form.detail).toBe('Send the body as JSON, with "Content-Type: application/json".');
    expectProblem(await post(token).set('Content-Type', 'text/plain').send('{}'), 415, 'unsupported-media-type');
    const huge = JSON.stringify({ note: 'x'.repeat(1024 * 1024) });
    expectProblem(await post(token).set('Content-Type', 'application/json').send(huge), 413, 'payload-too-large');
  });

  it('should answer an unknown, revoked or expired token, or none, with 401', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'Send an API token as "Authorization: Bearer <token>".'],
      [{ Authorization: 'Basic YWRhOnNlY3JldA==' }, 'Send an API token as "Authorization: Bearer <token>".'],
      [{ Authorization: 'Bearer' }, 'Send an API token as "Authorization: Bearer <token>".'],
      [{ Authorization: 'Bearer mcam_unknown' }, 'This API token is not known.'],
    ];
    for (const [headers, detail] of cases) {
      const body = expectProblem(
        await request(testApp.server).get('/api/v1/token').set(headers),
        401,
        'unauthenticated',
      );
      expect(body.detail).toBe(detail);
    }

    const revoked = await createApiToken(testApp, 1, { name: 'Revoked' });
    const service = testApp.app.get(ApiTokensService);
    const { tokenId } = await service.authenticate(`Bearer ${revoked}`);
    await service.revoke(1, tokenId);
    const refused = expectProblem(await apiClient(testApp, revoked).get('/api/v1/token'), 401, 'unauthenticated');
    expect(refused.detail).toBe('This API token has been revoked.');
    expect(refused.detail).not.toContain(revoked);

    const expiring = await createApiToken(testApp, 1, { expiresAt: new Date(clock.now().getTime() + 1000) });
    await apiClient(testApp, expiring).get('/api/v1/token').expect(200);
    clock.advance(1000);
    const expired = expectProblem(await apiClient(testApp, expiring).get('/api/v1/token'), 401, 'unauthenticated');
    expect(expired.detail).toBe('This API token has expired.');
  });

  it('should never let the session cookie reach the API, nor start a session there', async () => {
    const { agent } = await signIn(testApp, 'ada@contoso.test');
    expect((await agent.get('/api-access')).status).toBe(200);
    const answer = await agent.get('/api/v1/token');
    expectProblem(answer, 401, 'unauthenticated');
    expect(answer.headers['set-cookie']).toBeUndefined();
    const token = await createApiToken(testApp, 1);
    const withToken = await apiClient(testApp, token).get('/api/v1/token').expect(200);
    expect(withToken.headers['set-cookie']).toBeUndefined();
  });

  it('should not ask the API for a CSRF token: a POST without one reaches routing', async () => {
    const token = await createApiToken(testApp, 1);
    // The page's POST without its CSRF token is refused (403); the API's is answered by routing, which knows no
    // POST on this path: not-found, not forbidden.
    const body = expectProblem(await post(token).send({ name: 'x' }), 404, 'not-found');
    expect(body.instance).toBe('/api/v1/token');
  });

  it('should refuse a token over its per-minute limit with 429 and Retry-After, and allow it again the next minute', async () => {
    clock.set('2026-12-07T12:00:10Z');
    const token = await createApiToken(testApp, 1, { name: 'Busy' });
    const other = await createApiToken(testApp, 1, { name: 'Quiet' });
    for (let n = 1; n <= LIMIT; n++) {
      const answer = await apiClient(testApp, token).get('/api/v1/token').expect(200);
      expect(answer.headers).toMatchObject({
        'ratelimit-limit': String(LIMIT),
        'ratelimit-remaining': String(LIMIT - n),
        'ratelimit-reset': '50',
      });
    }
    clock.advance(20_000);
    const refused = await apiClient(testApp, token).get('/api/v1/token');
    const body = expectProblem(refused, 429, 'rate-limited');
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(body.detail).toBe('This API token has made more than 3 requests this minute. Try again in 30 seconds.');
    // Another token has a count of its own.
    await apiClient(testApp, other).get('/api/v1/token').expect(200);

    clock.advance(30_000);
    const again = await apiClient(testApp, token).get('/api/v1/token').expect(200);
    expect(again.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
    expect(again.headers['ratelimit-reset']).toBe('60');
  });

  it('should share the count between two instances of the app on one database', async () => {
    const second = await createTestApp({
      clock,
      dataDir: testApp.dataDir,
      env: { API_RATE_LIMIT_PER_MINUTE: String(LIMIT) },
    });
    try {
      const token = await createApiToken(testApp, 1, { name: 'Shared' });
      const apps = [testApp, second, testApp];
      for (const app of apps) await apiClient(app, token).get('/api/v1/token').expect(200);
      expectProblem(await apiClient(second, token).get('/api/v1/token'), 429, 'rate-limited');
    } finally {
      await second.close();
    }
  });

  it('should count in one row per token and minute, and prune past minutes', async () => {
    const token = await createApiToken(testApp, 1, { name: 'Counted' });
    const { tokenId } = await testApp.app.get(ApiTokensService).authenticate(`Bearer ${token}`);
    const sql = testApp.app.get(SqlService);
    const rows = () =>
      sql.query<{
        requests: number | string;
      }>`SELECT requests FROM api_token_request_counts WHERE token_id = ${tokenId}`;
    for (let n = 0; n < LIMIT; n++) await apiClient(testApp, token).get('/api/v1/token').expect(200);
    expect((await rows()).map((row) => Number(row.requests))).toEqual([LIMIT]);
    clock.advance(60_000);
    await apiClient(testApp, token).get('/api/v1/token').expect(200);
    expect(await rows()).toHaveLength(2);

    const pruned = await testApp.app.get(RequestCountsPruneHandler).prune(clock.now());
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect((await rows()).map((row) => Number(row.requests))).toEqual([1]);
  });
});
