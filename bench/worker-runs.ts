import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase } from './postgres-database';

// The queue's benches measure one worker at several concurrencies, each in a fresh app in a child process of the
// bench's own script (`--measure`), on SQLite and, when BENCH_DATABASE_URL is set, on PostgreSQL. In the child this
// measures and prints the figures, returning null; in the parent it runs every child and returns their figures.
export async function workerRuns<T>(
  script: string,
  name: string,
  concurrencies: readonly number[],
  measure: (concurrency: number) => Promise<T>,
  extraEnv: Record<string, string> = {},
): Promise<T[] | null> {
  if (process.argv.includes('--measure')) {
    process.stdout.write(`${JSON.stringify(await measure(Number(process.env.JOB_CONCURRENCY)))}\n`);
    return null;
  }
  const postgres = process.env.BENCH_DATABASE_URL;
  const results: T[] = [];
  for (const database of postgres ? ['sqlite', 'postgres'] : ['sqlite']) {
    for (const concurrency of concurrencies) {
      const dataDir = mkdtempSync(join(tmpdir(), `mca-${name}-bench-`));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
        JOB_WORKER: 'off',
        JOB_CONCURRENCY: String(concurrency),
        JOB_POLL_MS: '1000',
        SYNC_INTERVAL_MINUTES: '0',
        SANDBOX_PORT: '0',
        APP_SECRET: `${name}-bench-secret-that-is-long-enough-0123456789`,
        ...extraEnv,
      };
      if (database === 'postgres') {
        env.DATABASE_URL = postgres;
        await freshPostgresDatabase(postgres!);
      } else {
        delete env.DATABASE_URL;
      }
      try {
        results.push(await runChild<T>(script, env));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
  return results;
}

function runChild<T>(script: string, env: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, '--measure'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as T);
      else reject(new Error(`Bench run exited with ${code}: ${out}`));
    });
  });
}
