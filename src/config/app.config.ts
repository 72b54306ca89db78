import { Inject } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { loadOrCreateAppSecret } from './app-secret';
import { validateEnvironment } from './environment';

// The worker's settings (src/jobs reads them).
export interface JobWorkerSettings {
  enabled: boolean;
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  retryBaseMs: number;
  shutdownGraceMs: number;
  retentionDays: number;
}

export interface AppConfig {
  port: number;
  host: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  allowNewDatabase: boolean;
  secret: string;
  metricsToken: string | undefined;
  publicUrl: string | undefined;
  trustProxy: string | undefined;
  shutdown: { drainMs: number; timeoutMs: number };
  sessionIdleMinutes: number;
  login: { perIp: number; perEmail: number; windowSeconds: number };
  logLevel: string;
  partnerCenterMode: 'sandbox' | 'live';
  partnerCenterComponentUrl: string | undefined;
  sandboxPort: number;
  syncIntervalMinutes: number;
  partnerCenterHttp: { timeoutMs: number; maxAttempts: number; retryBaseMs: number; retryMaxWaitMs: number };
  sandbox: { tokenTtlSeconds: number; linkExpiryMinutes: number };
  smtpUrl: string | undefined;
  mailFrom: string;
  jobs: JobWorkerSettings;
  bulk: { rowsAtOnce: number; rowLeaseMs: number };
  webhooks: { timeoutMs: number; allowPrivateNetworks: boolean };
  reports: { gzipOverBytes: number; attachMaxBytes: number; limitPerUser: number; limitWindowSeconds: number };
  api: { rateLimitPerMinute: number };
  // Sign in with Microsoft: where Entra ID is, and the installation's app registration when the environment gives one.
  entra: {
    authority: string;
    registration: { tenantId: string; clientId: string; clientSecret: string } | undefined;
  };
}

export function readAppConfig(raw: Record<string, unknown> = process.env): AppConfig {
  const env = validateEnvironment(raw);
  const dataDir = resolve(env.DATA_DIR);
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    allowNewDatabase: env.ALLOW_NEW_DATABASE === 'yes',
    secret: loadOrCreateAppSecret(env.APP_SECRET, dataDir),
    metricsToken: env.METRICS_TOKEN,
    publicUrl: env.PUBLIC_URL,
    trustProxy: env.TRUST_PROXY,
    shutdown: { drainMs: env.SHUTDOWN_DRAIN_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
    sessionIdleMinutes: env.SESSION_IDLE_MINUTES,
    login: {
      perIp: env.LOGIN_LIMIT_PER_IP,
      perEmail: env.LOGIN_LIMIT_PER_EMAIL,
      windowSeconds: env.LOGIN_LIMIT_WINDOW_SECONDS,
    },
    logLevel: env.LOG_LEVEL,
    partnerCenterMode: env.PARTNER_CENTER_MODE,
    partnerCenterComponentUrl: env.PARTNER_CENTER_COMPONENT_URL,
    sandboxPort: env.SANDBOX_PORT,
    syncIntervalMinutes: env.SYNC_INTERVAL_MINUTES,
    partnerCenterHttp: {
      timeoutMs: env.PARTNER_CENTER_TIMEOUT_MS,
      maxAttempts: env.PARTNER_CENTER_MAX_ATTEMPTS,
      retryBaseMs: env.PARTNER_CENTER_RETRY_BASE_MS,
      retryMaxWaitMs: env.PARTNER_CENTER_RETRY_MAX_WAIT_MS,
    },
    sandbox: { tokenTtlSeconds: env.SANDBOX_TOKEN_TTL_SECONDS, linkExpiryMinutes: env.SANDBOX_LINK_EXPIRY_MINUTES },
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    jobs: {
      enabled: env.JOB_WORKER === 'on',
      concurrency: env.JOB_CONCURRENCY,
      pollMs: env.JOB_POLL_MS,
      leaseMs: env.JOB_LEASE_MS,
      retryBaseMs: env.JOB_RETRY_BASE_MS,
      shutdownGraceMs: env.JOB_SHUTDOWN_GRACE_MS,
      retentionDays: env.JOB_RETENTION_DAYS,
    },
    bulk: { rowsAtOnce: env.BULK_ROWS_AT_ONCE, rowLeaseMs: env.BULK_ROW_LEASE_MS },
    webhooks: {
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true',
    },
    reports: {
      gzipOverBytes: env.REPORT_GZIP_OVER_BYTES,
      attachMaxBytes: env.REPORT_ATTACH_MAX_BYTES,
      limitPerUser: env.REPORT_LIMIT_PER_USER,
      limitWindowSeconds: env.REPORT_LIMIT_WINDOW_SECONDS,
    },
    api: { rateLimitPerMinute: env.API_RATE_LIMIT_PER_MINUTE },
    entra: {
      authority: env.ENTRA_AUTHORITY.replace(/\/+$/, ''),
      registration:
        env.ENTRA_TENANT_ID && env.ENTRA_CLIENT_ID && env.ENTRA_CLIENT_SECRET
          ? {
              tenantId: env.ENTRA_TENANT_ID.toLowerCase(),
              clientId: env.ENTRA_CLIENT_ID.toLowerCase(),
              clientSecret: env.ENTRA_CLIENT_SECRET,
            }
          : undefined,
    },
  };
}

export const appConfig = registerAs('app', () => readAppConfig());

// The one way to read configuration: `@InjectAppConfig() private readonly config: AppConfig`, typed, validated once
// at start (environment.ts); never `ConfigService.get` with a string key.
export const InjectAppConfig = () => Inject(appConfig.KEY);
