import { Client } from 'pg';

// Each jest worker of the e2e suite on PostgreSQL gets a database of its own (tests drop and recreate its schema):
// TEST_DATABASE_URL's database with the worker's number appended, made here once per run when missing.
export const WORKER_DATABASES = 8;

export function workerDatabaseUrl(url: string, worker: number): string {
  const target = new URL(url);
  target.pathname = `${target.pathname}_w${worker}`;
  return target.toString();
}

export default async function createWorkerDatabases(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const existing = new Set(
      (await client.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((row) => row.datname),
    );
    for (let worker = 1; worker <= WORKER_DATABASES; worker++) {
      const name = new URL(workerDatabaseUrl(url, worker)).pathname.slice(1);
      if (!existing.has(name)) await client.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await client.end();
  }
}
