import { spawn } from 'node:child_process';

// PostgreSQL's own client tools (pg_dump, pg_restore) with the app's DATABASE_URL. The password travels in the
// environment (PGPASSWORD), never on a command line other users of the machine can read.
export function connectionFor(databaseUrl: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { dbname: url.toString(), env: password ? { ...process.env, PGPASSWORD: password } : { ...process.env } };
}

export class PgToolMissingError extends Error {
  constructor(tool: string) {
    super(
      `${tool} is not installed (or not on the PATH): install PostgreSQL's client tools, of the server's major version or newer (Debian: apt-get install postgresql-client)`,
    );
    this.name = 'PgToolMissingError';
  }
}

export function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[], databaseUrl: string): Promise<void> {
  const { dbname, env } = connectionFor(databaseUrl);
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${dbname}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new PgToolMissingError(tool) : error),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${tool} failed (exit ${code}): ${stderr.trim() || 'no message'}`)),
    );
  });
}
