import request from 'supertest';
import { apiClient, createApiToken } from '../support/api';
import { setUpFirstAdmin, signIn } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

describe('API authentication', () => {
  let testApp: TestApp;
  const clock = new TestClock();

  beforeAll(async () => {
    testApp = await createTestApp({ clock });
    await setUpFirstAdmin(testApp);
  });
  afterAll(() => testApp.close());

  it('answers a bearer token with what it is', async () => {
    const token = await createApiToken(testApp, 1, { name: 'Billing', scope: 'read' });
    const response = await apiClient(testApp, token).get('/api/v1/token').expect(200);
    expect(response.body).toEqual({ id: expect.any(Number), name: 'Billing', scope: 'read' });
  });

  it('refuses a missing or unknown token with problem details and WWW-Authenticate', async () => {
    const missing = await request(testApp.server).get('/api/v1/token').expect(401);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(missing.text)).toMatchObject({
      type: '/api/v1/problems/unauthenticated',
      status: 401,
      detail: 'Send an API token as "Authorization: Bearer <token>".',
    });
    const unknown = await apiClient(testApp, 'mcam_nope').get('/api/v1/token').expect(401);
    expect(JSON.parse(unknown.text).detail).toBe('This API token is not known.');
  });

  it('never accepts the session cookie', async () => {
    const { agent } = await signIn(testApp, 'ada@contoso.test');
    await agent.get('/').expect(200);
    await agent.get('/api/v1/token').expect(401);
  });

  it('refuses an expired token', async () => {
    const token = await createApiToken(testApp, 1, { expiresAt: new Date(clock.now().getTime() + 1000) });
    await apiClient(testApp, token).get('/api/v1/token').expect(200);
    clock.advance(2000);
    const expired = await apiClient(testApp, token).get('/api/v1/token').expect(401);
    expect(JSON.parse(expired.text).detail).toBe('This API token has expired.');
  });

  it('answers an unknown API path with problem details, not a page', async () => {
    const token = await createApiToken(testApp, 1);
    const response = await apiClient(testApp, token).get('/api/v1/nothing-here').expect(404);
    expect(JSON.parse(response.text)).toMatchObject({ type: '/api/v1/problems/not-found', status: 404 });
  });

  it('refuses a body that is not JSON with 415, and malformed JSON with 400', async () => {
    const token = await createApiToken(testApp, 1);
    const form = await request(testApp.server)
      .post('/api/v1/token')
      .set('Authorization', `Bearer ${token}`)
      .type('form')
      .send('a=b')
      .expect(415);
    expect(JSON.parse(form.text).type).toBe('/api/v1/problems/unsupported-media-type');
    const malformed = await request(testApp.server)
      .post('/api/v1/token')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send('{"a":')
      .expect(400);
    expect(JSON.parse(malformed.text).type).toBe('/api/v1/problems/bad-request');
  });
});
