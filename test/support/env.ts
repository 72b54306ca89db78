import { workerDatabaseUrl } from './jest/postgres-workers';

// Runs before each test file: the e2e suite uses PostgreSQL only when TEST_DATABASE_URL says so, never a
// DATABASE_URL that happens to be set in the shell (tests drop and recreate the schema), and then each jest worker
// its own database, so that files run side by side.
if (process.env.TEST_DATABASE_URL)
  process.env.DATABASE_URL = workerDatabaseUrl(process.env.TEST_DATABASE_URL, Number(process.env.JEST_WORKER_ID ?? 1));
else delete process.env.DATABASE_URL;
process.env.LOG_LEVEL ??= 'silent';
