import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../support/test-app';
import { setUpFirstAdmin } from '../support/http';
import { SyncRun } from '../../src/sync/sync-run.entity';

describe('Tenant sync', () => {
  let testApp: TestApp;
  let admin: ReturnType<typeof request.agent>;
  let brokerId: number;

  beforeAll(async () => {
    testApp = await createTestApp();
    admin = (await setUpFirstAdmin(testApp)).agent;
    brokerId = (await testApp.app.get(DataSource).query<{ id: number }[]>('SELECT id FROM brokers'))[0].id;
  });
  afterAll(() => testApp.close());

  it('should show that nothing was synced yet on the status page', async () => {
    const page = await admin.get('/sync/status');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Not synced from Microsoft yet.');
    expect(page.text).toContain('action="/sync"');
  });

  it('should refuse a second running sync for the same broker in the database', async () => {
    const runs = testApp.app.get(DataSource).getRepository(SyncRun);
    const now = new Date();
    const row = { brokerId, status: 'running' as const, triggeredBy: 'manual' as const, owner: 'test', startedAt: now, heartbeatAt: now };
    await runs.insert(row);
    await expect(runs.insert(row)).rejects.toThrow();
    const fragment = await admin.get('/sync/status').set('HX-Request', 'true');
    expect(fragment.text).toContain('hx-trigger="every 2s"');
    expect(fragment.text).not.toContain('<html');
    await runs.delete({ brokerId });
  });
});
