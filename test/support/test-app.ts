import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { Clock } from '../../src/common/clock';

export interface TestApp {
  app: NestExpressApplication;
  server: Server;
  dataDir: string;
  baseUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  // Reuse the data of an earlier app (a restart); otherwise a fresh database.
  dataDir?: string;
  listen?: boolean;
  // The app's clock (a TestClock), for tests that move time instead of waiting or rewriting stored times.
  clock?: Clock;
}

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-the-validator-0123456789';

// Empties the PostgreSQL test database, so each test file starts from migrations like a new install.
async function resetPostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  } finally {
    await client.end();
  }
}

// The real app, bootstrapped by the same configureApp as main.ts, on a real database.
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const fresh = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mca-test-'));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    APP_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    LOGIN_LIMIT_PER_IP: '1000',
    LOGIN_LIMIT_PER_EMAIL: '1000',
    SANDBOX_PORT: '0',
    ...options.env,
  };
  // The app reads its configuration while it starts; the variables are put back afterwards so that one test's
  // settings (say SMTP_URL) never leak into the next app of the same file.
  const previous = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  if (fresh && process.env.DATABASE_URL) await resetPostgres(process.env.DATABASE_URL);

  const builder = Test.createTestingModule({ imports: [AppModule] });
  if (options.clock) builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureApp(app);
  try {
    if (options.listen) await app.listen(0, '127.0.0.1');
    else await app.init();
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const server = app.getHttpServer() as Server;
  const address = server.address();
  const baseUrl = address && typeof address === 'object' ? `http://127.0.0.1:${address.port}` : '';
  return { app, server, dataDir, baseUrl, close: () => app.close() };
}
