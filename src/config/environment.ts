import { plainToInstance, Transform } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

// "Sign in with Microsoft" for the whole installation: its app registration given as three variables, or none.
const entraRegistrationGiven = (env: Environment) =>
  Boolean(env.ENTRA_TENANT_ID || env.ENTRA_CLIENT_ID || env.ENTRA_CLIENT_SECRET);
const ENTRA_TOGETHER = { message: 'set ENTRA_TENANT_ID, ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET together, or none' };

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

// Every setting the app reads from the environment, validated once at start.
export class Environment {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  // The address the app listens on: unset, every address of the machine; 127.0.0.1 behind a proxy on the same host.
  @IsOptional()
  @IsIP(undefined, { message: 'must be an IP address such as 127.0.0.1 or ::1' })
  HOST?: string;

  @IsOptional()
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR = 'data';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  APP_SECRET?: string;

  // /metrics answers requests that carry it (Authorization: Bearer), besides those from the machine itself.
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_TOKEN?: string;

  // For one start: a DATA_DIR that belonged to an installation accepts a missing, empty or other database, and
  // from then on belongs to that one (src/database/installation.ts). Otherwise such a start is refused.
  @IsOptional()
  @IsIn(['yes', 'no'])
  ALLOW_NEW_DATABASE: 'yes' | 'no' = 'no';

  @IsOptional()
  @IsString()
  @Matches(/^smtps?:\/\//, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional()
  @IsString()
  MAIL_FROM = 'MCA Manager <mca-manager@localhost>';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  REPORT_GZIP_OVER_BYTES = 5 * 1024 * 1024;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  REPORT_ATTACH_MAX_BYTES = 15 * 1024 * 1024;

  // Rows of one attestation batch sent to Partner Center at once (Microsoft throttles per partner tenant).
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  BULK_ROWS_AT_ONCE = 4;

  // A batch row still being sent after this long belongs to an instance that died: it is sent again, with the same
  // request id, so Partner Center answers with what it made the first time.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3600000)
  BULK_ROW_LEASE_MS = 600000;

  // Report requests a user may make in the window (each one emails a file of the broker's tenants).
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  REPORT_LIMIT_PER_USER = 10;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  REPORT_LIMIT_WINDOW_SECONDS = 3600;

  // Requests one API token may make in a minute (counted in the database, so every instance shares the count).
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  API_RATE_LIMIT_PER_MINUTE = 600;

  @IsOptional()
  @IsIn(['sandbox', 'live'])
  PARTNER_CENTER_MODE: 'sandbox' | 'live' = 'sandbox';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  SANDBOX_PORT = 3100;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(300000)
  PARTNER_CENTER_TIMEOUT_MS = 15000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  PARTNER_CENTER_MAX_ATTEMPTS = 4;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  PARTNER_CENTER_RETRY_BASE_MS = 500;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300000)
  PARTNER_CENTER_RETRY_MAX_WAIT_MS = 30000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  SANDBOX_TOKEN_TTL_SECONDS = 3600;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(43200)
  SANDBOX_LINK_EXPIRY_MINUTES = 10080;

  // How often every broker's tenants are synced from Partner Center; 0 turns the schedule off.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10080)
  SYNC_INTERVAL_MINUTES = 60;

  // Whether this instance runs background jobs; 'off' for an instance that only serves pages (jobs are still queued).
  @IsOptional()
  @IsIn(['on', 'off'])
  JOB_WORKER: 'on' | 'off' = 'on';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  JOB_CONCURRENCY = 4;

  // How often an idle worker looks for due jobs (a job enqueued by this instance wakes it at once).
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(20)
  @Max(60000)
  JOB_POLL_MS = 1000;

  // A running job's lease, renewed while it runs; a job whose instance died is taken over once it ran out.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(300)
  @Max(3600000)
  JOB_LEASE_MS = 60000;

  // The first retry's delay, doubled on each attempt (with jitter).
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3600000)
  JOB_RETRY_BASE_MS = 10000;

  // At shutdown, how long running jobs may take to finish before they are released to another instance.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600000)
  JOB_SHUTDOWN_GRACE_MS = 10000;

  // How long a finished job stays in the jobs table (the Background work page shows it) before it is deleted.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  JOB_RETENTION_DAYS = 14;

  // How long a webhook endpoint may take to answer a delivery before the attempt counts as failed.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  WEBHOOK_TIMEOUT_MS = 10000;

  // Whether webhook endpoints may be on loopback, private, link-local or other non-public addresses (an
  // installation whose receivers are on its own network); the app's own address is refused either way.
  @IsOptional()
  @IsIn(['true', 'false'])
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' | 'false' = 'false';

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_URL?: string;

  // Microsoft's parameterised link to its embeddable MCA acceptance component (live mode), with {attestationId} and
  // {language} where the attestation's go: no page we could read gives it (docs/partner-center.md).
  @IsOptional()
  @IsUrl({ require_tld: true, require_protocol: true, protocols: ['https'] })
  @Matches(/\{attestationId\}/, { message: 'PARTNER_CENTER_COMPONENT_URL must hold {attestationId}' })
  PARTNER_CENTER_COMPONENT_URL?: string;

  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  // At SIGTERM: how long readiness fails, while requests are still answered, before the listener closes; longer
  // than the proxy's health check interval, so that the proxy has stopped sending by then.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SHUTDOWN_DRAIN_MS = 3000;

  // Then how long the requests still running may take before their connections are closed.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  // Where Entra ID (or, on this machine, a test provider) is: plain http only on the loopback address.
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['https', 'http'] })
  @Matches(/^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$))/, {
    message: 'must be an https URL (http only on 127.0.0.1 or localhost)',
  })
  ENTRA_AUTHORITY = 'https://login.microsoftonline.com';

  @ValidateIf(entraRegistrationGiven)
  @IsDefined(ENTRA_TOGETHER)
  @IsUUID('all', { message: 'must be a GUID, like 00000000-0000-0000-0000-000000000000' })
  ENTRA_TENANT_ID?: string;

  @ValidateIf(entraRegistrationGiven)
  @IsDefined(ENTRA_TOGETHER)
  @IsUUID('all', { message: 'must be a GUID, like 00000000-0000-0000-0000-000000000000' })
  ENTRA_CLIENT_ID?: string;

  @ValidateIf(entraRegistrationGiven)
  @IsDefined(ENTRA_TOGETHER)
  @IsString()
  ENTRA_CLIENT_SECRET?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10080)
  SESSION_IDLE_MINUTES = 60;

  // Failed sign-ins only: high enough for an office of many people behind one address.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_LIMIT_PER_IP = 100;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_LIMIT_PER_EMAIL = 8;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_LIMIT_WINDOW_SECONDS = 900;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}

// Fails with one line per bad variable, naming it, so a misconfigured start is fixed in one look.
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ''));
  const env = plainToInstance(Environment, cleaned, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new Error(`Invalid configuration: ${lines.join(' | ')}`);
  }
  return env;
}
