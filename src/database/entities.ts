import { Broker } from '../brokers/broker.entity';
import { EntraSettings } from '../entra/entra-settings.entity';
import { PasswordResetToken } from '../passwords/password-reset-token.entity';
import { PartnerCenterSettings } from '../partner-center-settings/partner-center-settings.entity';
import { RateLimitHit } from '../rate-limits/rate-limit-hit.entity';
import { ReportRequest } from '../reports/report-request.entity';
import { ReportSchedule } from '../reports/report-schedule.entity';
import { SessionRecord } from '../sessions/session.entity';
import { SyncRun } from '../sync/sync-run.entity';
import { TenantStatusCount } from '../tenants/tenant-status-count.entity';
import { Tenant } from '../tenants/tenant.entity';
import { User } from '../users/user.entity';

// Every entity, in one list shared by the app, the CLI and the tests.
export const ENTITIES = [
  Broker,
  User,
  SessionRecord,
  Tenant,
  SyncRun,
  PartnerCenterSettings,
  TenantStatusCount,
  ReportRequest,
  ReportSchedule,
  EntraSettings,
  PasswordResetToken,
  RateLimitHit,
];
