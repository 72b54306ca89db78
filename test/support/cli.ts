import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_PASSWORD } from './http';
import { TEST_SECRET } from './test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// The CLI exactly as an operator runs it: the built dist/cli.js (`npm test` builds before the e2e suite), with the
// test apps' APP_SECRET and the test's database (DATABASE_URL on PostgreSQL).
export async function cli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const childEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    APP_SECRET: TEST_SECRET,
    MCA_USER_PASSWORD: DEFAULT_PASSWORD,
    LOG_LEVEL: 'silent',
    ...env,
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], {
      env: childEnv,
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
