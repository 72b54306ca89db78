import { createServer } from 'node:net';
import type TestAgent from 'supertest/lib/agent';
import { SqlService } from '../../src/database/sql.service';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { SyncService } from '../../src/sync/sync.service';
import { postForm, setUpFirstAdmin, signIn } from '../support/http';
import { createTestApp, type TestApp } from '../support/test-app';

// A port that was free a moment ago, for both instances to be configured with (as SANDBOX_PORT=3100 would be).
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('Sandbox mode with two instances', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const env = { SANDBOX_PORT: String(await freePort()), PARTNER_CENTER_RETRY_BASE_MS: '1' };
    first = await createTestApp({ env });
    // The same database (and data folder), as two instances behind one load balancer.
    second = await createTestApp({ dataDir: first.dataDir, env });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('should share one sandbox, so that every sync on either instance succeeds', async () => {
    const firstSandbox = first.app.get(PartnerCenterSandboxService);
    const secondSandbox = second.app.get(PartnerCenterSandboxService);
    expect(secondSandbox.baseUrl).toBe(firstSandbox.baseUrl);
    expect(secondSandbox.appRegistration()).toEqual(firstSandbox.appRegistration());
    expect(() => secondSandbox.server).toThrow(`uses the Partner Center sandbox of another instance`);

    await setUpFirstAdmin(first);
    const agents: [TestApp, TestAgent][] = [
      [first, (await signIn(first, 'ada@contoso.test')).agent],
      [second, (await signIn(second, 'ada@contoso.test')).agent],
    ];
    const sync = async ([testApp, agent]: [TestApp, TestAgent]) => {
      expect((await postForm(agent, '/sync/status', '/sync', {})).status).toBe(303);
      await testApp.app.get(SyncService).whenIdle();
      const [run] = await testApp.app.get(SqlService).query<{ status: string; error: string | null }>`
        SELECT status, error FROM sync_runs ORDER BY id DESC LIMIT 1`;
      return `${run.status}${run.error ? `: ${run.error}` : ''}`;
    };

    const results: string[] = [];
    for (let round = 0; round < 11; round++) {
      // Access tokens expire: each sync renews them with the refresh token the other instance last stored.
      firstSandbox.server.expireTokens();
      results.push(await sync(agents[round % 3 === 0 ? 0 : 1]));
    }
    expect(results).toEqual(Array(11).fill('succeeded'));
    const [{ count }] = await first.app.get(SqlService).query<{ count: number | string }>`
      SELECT COUNT(*) AS count FROM tenants`;
    expect(Number(count)).toBe(firstSandbox.server.customers().length);
  });
});
