import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { ROOT } from './app-process';

export const SHIPPED_CADDYFILE = join(ROOT, 'deploy', 'Caddyfile');

export const caddyAvailable = (): boolean => spawnSync('caddy', ['version']).status === 0;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

// The shipped Caddyfile as CI runs it on this machine: its site and proxy exactly as shipped (filled in from the
// environment, as install.sh fills them in), with global options for a machine without a public name: certificates
// from Caddy's own local authority (what `tls internal` does for one site), no redirect server on port 80, no
// admin endpoint, nothing written outside a temporary folder, and only the loopback address.
export function renderTestCaddyfile(storage: string): string {
  const shipped = readFileSync(SHIPPED_CADDYFILE, 'utf8');
  const options = [
    'admin off',
    'auto_https disable_redirects',
    'local_certs',
    'skip_install_trust',
    'default_bind 127.0.0.1',
    `storage file_system ${storage}`,
  ];
  const rendered = shipped.replace(/^\{\n/m, `{\n${options.map((line) => `\t${line}\n`).join('')}`);
  if (rendered === shipped) throw new Error('deploy/Caddyfile has no global options block to add to');
  return rendered;
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  issuer: string;
}

export interface RunningCaddy {
  port: number;
  url: string;
  agent: Agent;
  output(): string;
  get(path: string, options?: RequestOptions): Promise<HttpsAnswer>;
  send(method: string, path: string, options?: RequestOptions): Promise<HttpsAnswer>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
  localAddress?: string;
}

export async function startCaddy(upstreams: string[]): Promise<RunningCaddy> {
  const dir = mkdtempSync(join(tmpdir(), 'mca-caddy-'));
  const storage = join(dir, 'storage');
  const config = join(dir, 'Caddyfile');
  writeFileSync(config, renderTestCaddyfile(storage));
  const port = await freePort();
  const child = spawn('caddy', ['run', '--config', config, '--adapter', 'caddyfile'], {
    env: {
      ...process.env,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_DATA_HOME: join(dir, 'data'),
      MCA_DOMAIN: `https://127.0.0.1:${port}`,
      MCA_UPSTREAMS: upstreams.join(' '),
      MCA_ACME_EMAIL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  // The local authority's root exists once Caddy issued the site's certificate: the client trusts it alone.
  const rootCert = join(storage, 'pki', 'authorities', 'local', 'root.crt');
  let ca: Buffer | undefined;
  for (let tries = 0; tries < 100 && !ca; tries += 1) {
    if (child.exitCode !== null) throw new Error(`caddy stopped:\n${output}`);
    try {
      ca = readFileSync(rootCert);
    } catch {
      await sleep(100);
    }
  }
  if (!ca) throw new Error(`caddy made no local authority in 10 s:\n${output}`);
  const agent = new Agent({ ca, keepAlive: true, maxSockets: 16 });

  const send = (method: string, path: string, options: RequestOptions = {}) =>
    new Promise<HttpsAnswer>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          agent: options.localAddress ? new Agent({ ca }) : agent,
          localAddress: options.localAddress,
          headers: options.body
            ? { 'content-type': 'application/x-www-form-urlencoded', ...options.headers }
            : options.headers,
        },
        (res) => {
          const issuer = String((res.socket as TLSSocket).getPeerCertificate().issuer?.CN ?? '');
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, issuer }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });

  // Up once the site answers over TLS (the certificate is issued a moment after the root).
  for (let tries = 0; ; tries += 1) {
    try {
      await send('GET', '/healthz');
      break;
    } catch (error) {
      if (tries >= 100) throw new Error(`caddy did not answer on ${port}: ${String(error)}\n${output}`);
      await sleep(100);
    }
  }

  return {
    port,
    url: `https://127.0.0.1:${port}`,
    agent,
    output: () => output,
    get: (path, options) => send('GET', path, options),
    send,
    stop: async () => {
      agent.destroy();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
