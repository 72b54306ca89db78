import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

describe('Starting the app', () => {
  it('should stop with one clear line naming the variable when the configuration is wrong', async () => {
    const env = { ...process.env, PORT: 'not-a-port', DATA_DIR: '/tmp/mca-never-used' };
    const failure = await run(process.execPath, [join(ROOT, 'dist/main.js')], { env, cwd: ROOT }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).not.toBeNull();
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT: /)]);
  });

  it('should read an optional .env file in the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mca-env-'));
    writeFileSync(join(dir, '.env'), 'PARTNER_CENTER_MODE=production\n');
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, 'data') };
    delete env.PARTNER_CENTER_MODE;
    const failure = await run(process.execPath, [join(ROOT, 'dist/main.js')], { env, cwd: dir }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^Invalid configuration: PARTNER_CENTER_MODE: /);
  });
});
