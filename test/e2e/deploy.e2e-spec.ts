import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startAppProcess, stopAppProcess, type AppProcess } from '../support/app-process';
import { caddyAvailable, freePort, SHIPPED_CADDYFILE, startCaddy, type RunningCaddy } from '../support/caddy';
import { eventually } from '../support/jobs';
import { createTestApp } from '../support/test-app';

// deploy/: the install script (as a dry run into a temporary root), the systemd unit, and the Caddyfile in front of
// a real app process over HTTPS. Needs `npm run build` (dist/main.js); Caddy and systemd-analyze where installed.
const INSTALL = join(ROOT, 'deploy', 'install.sh');
const MAIN = join(ROOT, 'dist', 'main.js');
const hasCaddy = caddyAvailable();
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!hasCaddy) console.warn('deploy e2e: caddy is not installed (apt-get install caddy): its checks are skipped');
if (!hasSystemdAnalyze) console.warn('deploy e2e: systemd-analyze is not installed: the unit check is skipped');
const withCaddy = hasCaddy ? it : it.skip;
const withSystemd = hasSystemdAnalyze ? it : it.skip;

const run = (command: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8' });

const install = (root: string, args: string[], env: Record<string, string> = {}) =>
  run('bash', [INSTALL, ...args, '--root', root], env);

function envFile(path: string): Record<string, string> {
  const lines = readFileSync(path, 'utf8').split('\n');
  return Object.fromEntries(
    lines
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.split('=')[0], line.slice(line.indexOf('=') + 1)]),
  );
}

const caddyValidate = (config: string, env: Record<string, string> = {}) =>
  run('caddy', ['validate', '--config', config, '--adapter', 'caddyfile'], { HOME: tmpdir(), ...env });

describe('deploy/install.sh (a dry run into a temporary root)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'mca-install-'))));

  it('should write the settings once with a generated secret, and keep them when it runs again', () => {
    const first = install(root, ['mca.example.test', '--email', 'ops@example.test']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const settings = envFile(join(root, 'etc/mca-manager/env'));
    expect(settings).toEqual({
      PUBLIC_URL: 'https://mca.example.test',
      TRUST_PROXY: 'loopback',
      APP_SECRET: expect.stringMatching(/^[0-9a-f]{96}$/) as unknown,
      DATA_DIR: '/var/lib/mca-manager',
    });
    expect(readFileSync(join(root, 'etc/mca-manager/ports'), 'utf8').trim()).toBe('3000');

    const again = install(root, ['other.example.test']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('PUBLIC_URL in');
    expect(envFile(join(root, 'etc/mca-manager/env'))).toEqual(settings);
    // Another install has its own secret.
    const elsewhere = mkdtempSync(join(tmpdir(), 'mca-install-'));
    expect(install(elsewhere, ['mca.example.test']).status).toBe(0);
    expect(envFile(join(elsewhere, 'etc/mca-manager/env')).APP_SECRET).not.toBe(settings.APP_SECRET);
  });

  it('should add a setting that is missing and leave the others as they are', () => {
    mkdirSync(join(root, 'etc/mca-manager'), { recursive: true });
    const secret = 'a-secret-the-admin-chose-and-keeps-0123456789';
    writeFileSync(join(root, 'etc/mca-manager/env'), `APP_SECRET=${secret}\nTRUST_PROXY=1\n`);
    expect(install(root, ['mca.example.test']).status).toBe(0);
    expect(envFile(join(root, 'etc/mca-manager/env'))).toEqual({
      APP_SECRET: secret,
      TRUST_PROXY: '1',
      PUBLIC_URL: 'https://mca.example.test',
      DATA_DIR: '/var/lib/mca-manager',
    });
  });

  it('should refuse a Node.js older than 20.19, a bad domain, and two instances without PostgreSQL', () => {
    const fakeBin = mkdtempSync(join(tmpdir(), 'mca-node-'));
    writeFileSync(join(fakeBin, 'node'), '#!/bin/sh\necho v20.18.3\n');
    chmodSync(join(fakeBin, 'node'), 0o755);
    const oldNode = install(root, ['mca.example.test'], { PATH: `${fakeBin}:${process.env.PATH}` });
    expect(oldNode.status).toBe(1);
    expect(oldNode.stderr).toContain('Node.js 20.18.3');
    expect(oldNode.stderr).toContain('needs 20.19 or later');

    const badDomain = install(root, ['mca.example.test/x']);
    expect(badDomain.status).toBe(1);
    expect(badDomain.stderr).toContain('DOMAIN must be a host name');

    const two = install(root, ['mca.example.test', '--ports', '3000,3001']);
    expect(two.status).toBe(1);
    expect(two.stderr).toContain('more than one instance needs PostgreSQL');
    writeFileSync(join(root, 'etc/mca-manager/env'), 'DATABASE_URL=postgres://mca@127.0.0.1:5432/mca\n', {
      flag: 'a',
    });
    expect(install(root, ['mca.example.test', '--ports', '3000,3001']).status).toBe(0);
    expect(readFileSync(join(root, 'etc/caddy/Caddyfile'), 'utf8')).toContain(
      'reverse_proxy 127.0.0.1:3000 127.0.0.1:3001 {',
    );
  });

  it("should sign the certificate with Caddy's own authority with --tls internal, for a machine without a public name", () => {
    expect(install(root, ['mca.intranet.test', '--tls', 'internal']).status).toBe(0);
    const text = readFileSync(join(root, 'etc/caddy/Caddyfile'), 'utf8');
    expect(text).toMatch(/^mca\.intranet\.test \{\n(\t#.*\n)*\ttls internal\n/m);
    if (hasCaddy) {
      const adapted = run('caddy', ['adapt', '--config', join(root, 'etc/caddy/Caddyfile')], { HOME: tmpdir() });
      expect(adapted.status).toBe(0);
      expect(adapted.stdout).toMatch(/"issuers":\[\{"module":"internal"\}\]/);
    }
    // Without it, ACME: no tls line.
    const other = mkdtempSync(join(tmpdir(), 'mca-install-'));
    expect(install(other, ['mca.example.test']).status).toBe(0);
    expect(readFileSync(join(other, 'etc/caddy/Caddyfile'), 'utf8')).not.toMatch(/^\s*tls /m);

    const wrong = install(root, ['mca.example.test', '--tls', 'acme']);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('--tls takes one value, internal');
  });

  it('should install the command line, which runs as the app with its settings', () => {
    expect(install(root, ['mca.example.test']).status).toBe(0);
    const cli = join(root, 'usr/local/sbin/mca-manager-cli');
    expect(statSync(cli).mode & 0o755).toBe(0o755);
    const text = readFileSync(cli, 'utf8');
    expect(text).toContain(`NODE=${process.execPath}\n`);
    expect(text).toContain('ENV_FILE=/etc/mca-manager/env');
    expect(text).toMatch(/exec runuser -u "\$USER_NAME" -- "\$NODE" dist\/cli\.js/);
    expect(run('bash', ['-n', cli]).status).toBe(0);
    // Not root: it says how to run it, and runs nothing.
    if (process.getuid?.() !== 0) expect(run('bash', [cli, 'audit:verify']).stderr).toContain('run it as root');
  });

  withCaddy('should write a Caddyfile for the domain that Caddy accepts', () => {
    expect(install(root, ['mca.example.test', '--email', 'ops@example.test']).status).toBe(0);
    const caddyfile = join(root, 'etc/caddy/Caddyfile');
    const text = readFileSync(caddyfile, 'utf8');
    expect(text).toContain('mca.example.test {');
    expect(text).toContain('email "ops@example.test"');
    expect(text).not.toMatch(/^[^#]*\{\$MCA_/m);
    const adapted = run('caddy', ['adapt', '--config', caddyfile, '--adapter', 'caddyfile'], { HOME: tmpdir() });
    expect(adapted.status).toBe(0);
    const config = JSON.parse(adapted.stdout) as { apps: { tls: unknown; http: unknown } };
    expect(JSON.stringify(config.apps.tls)).toContain('"email":"ops@example.test"');
    expect(JSON.stringify(config.apps.http)).toContain('"uri":"/readyz"');
    expect(caddyValidate(caddyfile).status).toBe(0);
  });

  withSystemd('should write a unit that systemd-analyze verifies, hardened', () => {
    expect(install(root, ['mca.example.test']).status).toBe(0);
    // An instance of the template, as systemd would load mca-manager@3000.service.
    const unitDir = mkdtempSync(join(tmpdir(), 'mca-unit-'));
    const unit = join(unitDir, 'mca-manager@3000.service');
    copyFileSync(join(root, 'etc/systemd/system/mca-manager@.service'), unit);
    const verified = run('systemd-analyze', ['verify', unit]);
    expect({ status: verified.status, stderr: verified.stderr }).toEqual({ status: 0, stderr: '' });
    const text = readFileSync(unit, 'utf8');
    expect(text).toContain(`ExecStart=${process.execPath} dist/main.js`);
    for (const setting of [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/mca-manager -/var/backups/mca-manager',
      'HOST=127.0.0.1',
      'PrivateTmp=yes',
      'User=mca-manager',
      'EnvironmentFile=/etc/mca-manager/env',
    ])
      expect(text).toContain(setting);
    const exposure = run('systemd-analyze', ['security', '--offline=yes', unit]);
    const level = Number(/Overall exposure level for [^:]+: ([\d.]+)/.exec(exposure.stdout)?.[1]);
    console.log(`deploy e2e: systemd-analyze security rates the unit's exposure ${level} (of 10)`);
    expect(level).toBeLessThan(4);
  });
});

describe('deploy/Caddyfile', () => {
  withCaddy('should be valid with the values install.sh fills in, from the environment', () => {
    const env = { MCA_DOMAIN: 'mca.example.test', MCA_UPSTREAMS: '127.0.0.1:3000', MCA_ACME_EMAIL: '' };
    const checked = caddyValidate(SHIPPED_CADDYFILE, env);
    expect(checked.stdout + checked.stderr).toContain('Valid configuration');
    expect(checked.status).toBe(0);
  });
});

describe('Caddy in front of the app over HTTPS', () => {
  let app: AppProcess | undefined;
  let caddy: RunningCaddy | undefined;
  afterEach(async () => {
    await caddy?.stop();
    if (app) await stopAppProcess(app);
    caddy = app = undefined;
  });

  // The built app on a migrated database of its own (a test app made it), on a free port.
  async function startApp(env: Record<string, string>): Promise<{ process: AppProcess; port: number }> {
    const testApp = await createTestApp();
    await testApp.close();
    const port = await freePort();
    const child = startAppProcess(MAIN, {
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
      DATA_DIR: testApp.dataDir,
      PORT: String(port),
      ...env,
    });
    return { process: child, port };
  }

  withCaddy(
    "should answer over HTTPS with Caddy's certificate, HSTS, Secure cookies, and log the client's address",
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'mca-install-'));
      expect(install(root, ['mca.example.test']).status).toBe(0);
      const installed = envFile(join(root, 'etc/mca-manager/env'));
      const started = await startApp({
        TRUST_PROXY: installed.TRUST_PROXY,
        HOST: unitEnvironment(root).HOST,
        LOG_LEVEL: 'info',
      });
      app = started.process;
      const appPort = started.port;
      caddy = await startCaddy([`127.0.0.1:${appPort}`]);
      // Caddy reaches it; nothing else does: it listens on the loopback address only, not 127.0.0.2 or the network.
      expect(await connects('127.0.0.1', appPort)).toBe(true);
      expect(await connects('127.0.0.2', appPort)).toBe(false);

      // From another loopback address than Caddy's own (127.0.0.1), with a forged X-Forwarded-For.
      // A new installation's first page, the setup form (with a CSRF token in the session, so a cookie).
      const page = await caddy.get('/setup', {
        localAddress: '127.0.0.2',
        headers: { 'X-Forwarded-For': '203.0.113.7' },
      });
      expect(page.status).toBe(200);
      expect(page.body).toContain('name="_csrf"');
      expect(page.issuer).toMatch(/^Caddy Local Authority/);
      expect(page.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
      const cookies = ([] as string[]).concat(page.headers['set-cookie'] ?? []);
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatch(/; Secure/);
      expect(cookies[0]).toMatch(/; HttpOnly/);

      const requestId = String(page.headers['x-request-id']);
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const logged = app;
      // The line is written when the response ends: it may reach the pipe a moment after the answer.
      const line = await eventually(() =>
        logged
          .output()
          .split('\n')
          .filter((text) => text.includes(requestId))
          .map((text) => JSON.parse(text) as { req?: Record<string, string> })
          .find((entry) => entry.req?.url === '/setup'),
      );
      expect(line.req).toEqual({ id: requestId, method: 'GET', url: '/setup', remoteAddress: '127.0.0.2' });
      expect(app.output()).not.toContain('203.0.113.7');
    },
  );

  withCaddy(
    'should answer 503 with a page that says so while no instance is ready',
    async () => {
      const instance = await startApp({ HOST: '127.0.0.1' });
      app = instance.process;
      const appPort = instance.port;
      caddy = await startCaddy([`127.0.0.1:${appPort}`]);
      expect((await caddy.get('/setup')).status).toBe(200);
      await stopAppProcess(app);
      // Caddy waits lb_try_duration (10 s) for an instance, then answers with the Caddyfile's page.
      const started = Date.now();
      const page = await caddy.get('/mca');
      expect(page.status).toBe(503);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['retry-after']).toBe('30');
      expect(page.body).toContain('MCA Manager is unavailable');
      expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
    },
    30_000,
  );
});

// The variables the installed unit sets itself (Environment=NAME=value ...).
function unitEnvironment(root: string): Record<string, string> {
  const unit = readFileSync(join(root, 'etc/systemd/system/mca-manager@.service'), 'utf8');
  const line = /^Environment=(.*)$/m.exec(unit)?.[1] ?? '';
  return Object.fromEntries(line.split(/\s+/).map((pair) => [pair.split('=')[0], pair.slice(pair.indexOf('=') + 1)]));
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
