import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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
    expect(failure?.code).toBe(78);
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
    expect(failure?.code).toBe(78);
    expect(failure?.stderr).toMatch(/^Invalid configuration: PARTNER_CENTER_MODE: /);
  });
});

describe('Starting the app on a DATA_DIR or database it cannot use', () => {
  const start = (env: NodeJS.ProcessEnv) =>
    run(process.execPath, [join(ROOT, 'dist/main.js')], {
      env: { ...process.env, PORT: '0', SANDBOX_PORT: '0', APP_SECRET: 'x'.repeat(40), ...env },
      cwd: ROOT,
      timeout: 30_000,
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );

  it('should refuse a DATA_DIR that lost its database in one line, and create nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mca-lost-'));
    writeFileSync(join(dataDir, 'installation-id'), 'a1b2c3d4-0000-4000-8000-000000000000\n');
    const failure = await start({ DATA_DIR: dataDir });
    // Not restarted by systemd: only an operator can restore the database.
    expect(failure?.code).toBe(78);
    const lines = failure?.stderr.trim().split('\n');
    expect(lines).toEqual([
      process.env.DATABASE_URL
        ? expect.stringMatching(
            /^The database at postgres:\/\/\S+ (holds no installation|is installation \S+), but DATA_DIR belongs to installation a1b2c3d4-0000-4000-8000-000000000000: .*ALLOW_NEW_DATABASE=yes/,
          )
        : `The database ${join(dataDir, 'mca-manager.sqlite')} is missing, but DATA_DIR belongs to installation a1b2c3d4-0000-4000-8000-000000000000: restore the database from a backup, or set ALLOW_NEW_DATABASE=yes for one start to begin a new, empty installation here`,
    ]);
    expect(readdirSync(dataDir)).toEqual(['installation-id']);
  });

  it('should say in one line, without its password, that DATABASE_URL does not answer', async () => {
    const failure = await start({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'mca-url-')),
      DATABASE_URL: 'postgres://mca:hunter2-secret@127.0.0.1:1/mca',
    });
    // Restarted by systemd: PostgreSQL may be on its way up.
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Cannot open the database at postgres:\/\/mca@127\.0\.0\.1:1\/mca: .*ECONNREFUSED/),
    ]);
    expect(failure?.stderr).not.toContain('hunter2');
  });

  it('should say in one line that DATA_DIR cannot be used', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mca-file-')), 'not-a-folder');
    writeFileSync(file, '');
    const failure = await start({ DATA_DIR: file });
    expect(failure?.code).toBe(78);
    expect(failure?.stderr.trim().split('\n')).toEqual([
      `DATA_DIR ${file} cannot be created or written to (EEXIST): check the path and its owner`,
    ]);
  });
});
