import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Built to dist-bench/bench/ (tsc -p bench); the app itself is nest's build in dist/.
export const DIST = join(__dirname, '..', '..', 'dist');

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export interface Server {
  child: ChildProcess;
  pid: number;
  url: string;
}

// Starts `node <script>` as the server itself (its pid is the process whose CPU time is read), its standard output
// written to `logFile` as a process manager would keep it, and waits until its /healthz answers.
export async function startServer(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  logFile: string,
  cwd: string,
): Promise<Server> {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [script, ...args], { env, cwd, stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (exited !== undefined) throw new Error(`${script} exited with ${exited} (its output: ${logFile})`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, pid: child.pid!, url };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error(`${script} did not answer on ${url} within 2 minutes`);
}

export async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return; // ended already
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  // The app finishes its work on SIGTERM; one that has not ended after 10 s is killed.
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const cookieOf = (response: Response): string => (response.headers.get('set-cookie') ?? '').split(';')[0];
const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

// Submits the form at `path` as a browser would (its page's cookie and CSRF token); returns the new session cookie.
async function submitForm(appUrl: string, path: string, fields: Record<string, string>): Promise<string> {
  const page = await fetch(appUrl + path);
  const done = await fetch(appUrl + path, {
    method: 'POST',
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()), ...fields }),
    headers: { cookie: cookieOf(page), 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  if (done.status !== 303) throw new Error(`POST ${path} answered ${done.status}`);
  return cookieOf(done);
}

export interface BenchUser {
  broker: string;
  name: string;
  email: string;
  password: string;
}

export const benchUser = (broker: number): BenchUser => ({
  broker: `Bench Partner ${broker}`,
  name: `Bench Admin ${broker}`,
  email: `bench${broker}@bench.test`,
  password: 'bench password that is long',
});

// The first broker and its admin through the app's own /setup; returns that admin's session cookie.
export const setUp = (appUrl: string, user: BenchUser): Promise<string> =>
  submitForm(appUrl, '/setup', {
    brokerName: user.broker,
    name: user.name,
    email: user.email,
    password: user.password,
  });

// Another broker and its admin through the command line (node dist/cli.js user:create --create-broker).
export async function createBrokerUser(env: NodeJS.ProcessEnv, cwd: string, user: BenchUser): Promise<void> {
  const args = ['user:create', '--email', user.email, '--name', user.name, '--role', 'admin'];
  await promisify(execFile)(
    process.execPath,
    [join(DIST, 'cli.js'), ...args, '--broker', user.broker, '--create-broker'],
    {
      env: { ...env, MCA_USER_PASSWORD: user.password, LOG_LEVEL: 'error' },
      cwd,
    },
  );
}

// Signs in through the sign-in form; returns the session cookie.
export const signIn = (appUrl: string, user: BenchUser): Promise<string> =>
  submitForm(appUrl, '/login', { email: user.email, password: user.password, next: '/mca' });
