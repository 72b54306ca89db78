import request from 'supertest';
import { DataSource } from 'typeorm';
import { setUpFirstAdmin, signIn } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Error pages', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(() => testApp.close());

  it('should show a 404 page inside the layout for an unknown page', async () => {
    const { agent } = await setUpFirstAdmin(testApp);
    const response = await agent.get('/no/such/page');
    expect(response.status).toBe(404);
    expect(response.text).toContain('Page not found');
    expect(response.text).toContain('Sign out');
  });

  it('should render a fragment without the layout for htmx', async () => {
    const { agent } = await signIn(testApp, 'ada@contoso.test');
    const response = await agent.get('/no/such/page').set('HX-Request', 'true');
    expect(response.status).toBe(404);
    expect(response.text).toContain('Page not found');
    expect(response.text).not.toContain('<html');
  });

  it('should show a 500 page without internals when the database is gone, and report it on /readyz', async () => {
    const agent = request.agent(testApp.server);
    await agent.get('/login');
    await testApp.app.get(DataSource).destroy();

    const page = await agent.get('/login');
    expect(page.status).toBe(500);
    expect(page.text).toContain('Something went wrong on our side');
    expect(page.text).not.toMatch(/DataSource|TypeORM|\bat .*\.js:\d+/);

    const ready = await request(testApp.server).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', checks: { database: { status: 'fail' } } });
    await request(testApp.server).get('/healthz').expect(200);
  });
});
