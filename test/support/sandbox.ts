import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartnerCenterClient } from '../../src/partner-center/partner-center.client';
import type { PartnerCenterClientOptions } from '../../src/partner-center/partner-center.options';
import type { PartnerCenterCredentials } from '../../src/partner-center/partner-center.types';
import {
  PartnerCenterSandbox,
  type PartnerCenterSandboxOptions,
} from '../../src/partner-center/sandbox/partner-center-sandbox';

// A clock both the client and the sandbox read, so tests move time forward instead of waiting.
export class FakeClock {
  constructor(private current = Date.parse('2026-11-25T12:00:00Z')) {}
  readonly now = () => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

export interface StandaloneSandbox {
  sandbox: PartnerCenterSandbox;
  stateFile: string;
  credentials(refreshToken?: string): PartnerCenterCredentials;
}

// A sandbox on a free port with its own state file; stop it with `sandbox.stop()`.
export async function startSandbox(options: Partial<PartnerCenterSandboxOptions> = {}): Promise<StandaloneSandbox> {
  const stateFile =
    options.stateFile ?? join(mkdtempSync(join(tmpdir(), 'pc-sandbox-')), 'partner-center-sandbox.json');
  const sandbox = new PartnerCenterSandbox({ port: 0, ...options, stateFile });
  await sandbox.start();
  return {
    sandbox,
    stateFile,
    credentials: (refreshToken?: string) => {
      const { tenantId, appId, appSecret } = sandbox.appRegistration();
      return {
        mode: 'sandbox',
        authorityUrl: sandbox.baseUrl,
        apiBaseUrl: sandbox.baseUrl,
        tenantId,
        appId,
        appSecret,
        ...(refreshToken ? { refreshToken } : {}),
      };
    },
  };
}

// A client whose waits are recorded instead of slept, so retry tests neither wait nor depend on timing.
export function recordingClient(options: Partial<PartnerCenterClientOptions> = {}): {
  client: PartnerCenterClient;
  waits: number[];
} {
  const waits: number[] = [];
  const client = new PartnerCenterClient({
    retryBaseMs: 10,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
  return { client, waits };
}

// A request held in flight until the test opens the gate: the test, not the machine's speed, decides how long.
export function gate(): { held: Promise<void>; open(): void } {
  let open!: () => void;
  const held = new Promise<void>((resolve) => (open = resolve));
  return { held, open };
}
