import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_PASSWORD, signIn } from '../support/http';
import { createTestApp } from '../support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

// The CLI exactly as an operator runs it: the built dist/cli.js (`npm test` builds before the e2e suite).
async function cli(dataDir: string, args: string[], password = DEFAULT_PASSWORD) {
  const env = { ...process.env, DATA_DIR: dataDir, MCA_USER_PASSWORD: password, LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { env, cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run cli -- user:create', () => {
  it('should create a user who can sign in, and refuse bad input with one line per field', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mca-cli-'));
    const created = await cli(dataDir, [
      'user:create',
      '--email',
      'Script@Contoso.test',
      '--name',
      'Script User',
      '--role',
      'operator',
      '--broker',
      'Contoso Cloud',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created operator script@contoso.test in broker "Contoso Cloud"');

    const refused = await cli(
      dataDir,
      ['user:create', '--email', 'nope', '--name', '', '--role', 'root', '--broker', 'Contoso Cloud'],
      'short',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('email: Enter a valid email address');
    expect(refused.stderr).toContain('role: Choose a role');
    expect(refused.stderr).toContain('password: Password must be at least 12 characters');

    const testApp = await createTestApp({ dataDir });
    try {
      expect((await signIn(testApp, 'script@contoso.test')).response.status).toBe(303);
    } finally {
      await testApp.close();
    }
  });
});
