import type { ConnectedUser } from '../partner-center.types';
import { SANDBOX_SERVICE } from './partner-center-sandbox';
import type { SandboxAppRegistration } from './sandbox-state';

const PROBE_TIMEOUT_MS = 2_000;

async function call(url: string, method: 'GET' | 'POST'): Promise<Record<string, unknown> | null> {
  try {
    const response = await fetch(url, { method, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = (await response.json()) as Record<string, unknown>;
    return response.ok && body?.service === SANDBOX_SERVICE ? body : null;
  } catch {
    return null;
  }
}

// The sandbox that another instance of the app on this host already serves: its state (customers, refresh tokens)
// is in that instance's memory, so every instance must talk to that one sandbox.
export class SharedSandbox {
  private constructor(
    readonly baseUrl: string,
    readonly registration: SandboxAppRegistration,
  ) {}

  // The sandbox listening at `baseUrl`, or null when nothing there answers as one.
  static async find(baseUrl: string): Promise<SharedSandbox | null> {
    const body = await call(`${baseUrl}/sandbox/registration`, 'GET');
    if (!body) return null;
    const { tenantId, appId, appSecret, partnerUser } = body as Record<string, string>;
    return new SharedSandbox(baseUrl, { tenantId, appId, appSecret, partnerUser });
  }

  async signInPartnerUser(): Promise<ConnectedUser> {
    const body = await call(`${this.baseUrl}/sandbox/partner-user/sign-in`, 'POST');
    if (!body) throw new Error(`The shared Partner Center sandbox at ${this.baseUrl} did not answer`);
    return {
      refreshToken: String(body.refreshToken),
      userPrincipalName: typeof body.userPrincipalName === 'string' ? body.userPrincipalName : null,
    };
  }
}
