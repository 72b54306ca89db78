import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PartnerCenterSandboxService,
  SANDBOX_STATE_FILE,
} from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { recordingClient, startSandbox } from '../support/sandbox';
import { createTestApp } from '../support/test-app';

// The sandbox as a process of its own (state across restarts) and as the app runs it in sandbox mode.
describe('Partner Center sandbox state', () => {
  it('should keep its app registration and customers across restarts', async () => {
    const first = await startSandbox();
    const added = first.sandbox.addCustomer({ companyName: 'Restart Test Ltd' });
    const registration = first.sandbox.appRegistration();
    await first.sandbox.stop();
    const second = await startSandbox({ stateFile: first.stateFile });
    try {
      expect(second.sandbox.appRegistration()).toEqual(registration);
      expect(second.sandbox.customers().map((c) => c.id)).toContain(added.id);
    } finally {
      await second.sandbox.stop();
    }
  });

  it('should seed the same customers on every machine, a few of them directly signed', async () => {
    const [one, two] = await Promise.all([startSandbox(), startSandbox()]);
    try {
      const customers = one.sandbox.customers();
      expect(customers.length).toBeGreaterThanOrEqual(40);
      expect(two.sandbox.customers()).toEqual(customers);
      const signed = customers.filter((c) => c.directlySigned);
      expect(signed.length).toBeGreaterThanOrEqual(3);
      expect(signed.length).toBeLessThan(customers.length / 4);
      expect(signed.every((c) => c.agreements.length === 1)).toBe(true);
      expect(one.sandbox.appRegistration().appSecret).not.toBe(two.sandbox.appRegistration().appSecret);
    } finally {
      await Promise.all([one.sandbox.stop(), two.sandbox.stop()]);
    }
  });

  it('should refuse to start on a broken state file or a busy port, saying what to do', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'pc-sandbox-')), 'state.json');
    writeFileSync(broken, '{"version":1,');
    await expect(startSandbox({ stateFile: broken })).rejects.toThrow(
      `${broken} is not valid: fix it, or delete it to start over`,
    );

    const running = await startSandbox();
    try {
      const port = Number(new URL(running.sandbox.baseUrl).port);
      await expect(startSandbox({ port })).rejects.toThrow(`port ${port} is in use: set SANDBOX_PORT to a free port`);
    } finally {
      await running.sandbox.stop();
    }
  });
});

describe(PartnerCenterSandboxService.name, () => {
  it('should run the sandbox with the app in sandbox mode, keep its registration in DATA_DIR, and stop with the app', async () => {
    const testApp = await createTestApp();
    const service = testApp.app.get(PartnerCenterSandboxService);
    const baseUrl = service.baseUrl;
    const registration = service.appRegistration();
    try {
      const { client } = recordingClient();
      const page = await client.listCustomers(service.credentials(), { pageSize: 5 });
      expect(page.items).toHaveLength(5);
      expect(existsSync(join(testApp.dataDir, SANDBOX_STATE_FILE))).toBe(true);
    } finally {
      await testApp.close();
    }
    await expect(fetch(`${baseUrl}/sandbox.css`)).rejects.toThrow();

    const restarted = await createTestApp({ dataDir: testApp.dataDir });
    try {
      expect(restarted.app.get(PartnerCenterSandboxService).appRegistration()).toEqual(registration);
    } finally {
      await restarted.close();
    }
  });

  it('should stay off in live mode and say so', async () => {
    const testApp = await createTestApp({ env: { PARTNER_CENTER_MODE: 'live' } });
    try {
      const service = testApp.app.get(PartnerCenterSandboxService);
      expect(service.running).toBe(false);
      expect(() => service.baseUrl).toThrow('not running');
    } finally {
      await testApp.close();
      delete process.env.PARTNER_CENTER_MODE;
    }
  });
});
