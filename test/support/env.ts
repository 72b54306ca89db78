// Runs before each test file: the e2e suite uses PostgreSQL only when TEST_DATABASE_URL says so, never a
// DATABASE_URL that happens to be set in the shell (tests drop and recreate the schema).
if (process.env.TEST_DATABASE_URL) process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
else delete process.env.DATABASE_URL;
process.env.LOG_LEVEL ??= 'silent';
