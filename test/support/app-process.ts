import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

// A real app process (`node dist/main.js`, or a script beside it) on the test's database; needs `npm run build`.
export function startAppProcess(script: string, env: Record<string, string>): AppProcess {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    SANDBOX_PORT: '0',
    LOG_LEVEL: 'warn',
    // No proxy watches these processes' readiness: a stop need not wait for one to notice.
    SHUTDOWN_DRAIN_MS: '0',
    APP_SECRET: 'test-secret-that-is-long-enough-for-the-validator-0123456789',
    ...env,
  };
  if (!process.env.DATABASE_URL) delete childEnv.DATABASE_URL;
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function stopAppProcess(app: AppProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill(signal);
  await app.exited;
}
