import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// The test OpenID provider (test/support/oidc-provider.mjs), standing in for Microsoft Entra ID.
export interface TestOidcProvider {
  authority: string;
  issuer: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  control(settings: { forgeIdToken?: boolean; nonce?: string; redirectUris?: string[] }): Promise<void>;
  stop(): Promise<void>;
}

export const OTHER_TENANT_ID = '99999999-8888-4777-8666-555555555555';

// Started in its own Node process: it is an ES module with ES-module dependencies that Jest cannot load.
export async function startOidcProvider(
  options: { redirectUris?: string[]; accounts?: Record<string, { email?: string; name?: string; tid?: string }> } = {},
): Promise<TestOidcProvider> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: {
      ...process.env,
      OIDC_PORT: '0',
      OIDC_REDIRECT_URIS: (options.redirectUris ?? ['http://app.test/login/microsoft/callback']).join(','),
      OIDC_ACCOUNTS: JSON.stringify(options.accounts ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`The test OpenID provider stopped (${code}): ${errors}`)));
  });
  const info = JSON.parse(firstLine) as Omit<TestOidcProvider, 'control' | 'stop'>;
  return {
    ...info,
    async control(settings) {
      const response = await fetch(`${info.authority}/__control`, { method: 'POST', body: JSON.stringify(settings) });
      if (response.status !== 204) throw new Error(`The test OpenID provider refused ${JSON.stringify(settings)}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// A person at the provider's sign-in page, without a browser: follows its redirects with its own cookies, types
// the login (any password), and returns where the provider sends them back to (the app's callback, with its query).
export async function signInAtProvider(authorizationUrl: string, login: string): Promise<URL> {
  const cookies = new Map<string, string>();
  const go = async (url: URL, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const provider = new URL(authorizationUrl).origin;
  let url = new URL(authorizationUrl);
  let response = await go(url);
  for (let hops = 0; hops < 10; hops++) {
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url);
      if (url.origin !== provider) return url;
      response = await go(url);
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (response.status !== 200 || !action) throw new Error(`The provider answered ${response.status}: ${page}`);
    response = await go(new URL(action, url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login, password: 'any password' }).toString(),
    });
  }
  throw new Error('The provider never sent the person back');
}
