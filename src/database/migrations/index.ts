import { Foundation1764100000000 } from './1764100000000-foundation';
import { SyncRuns1764110000000 } from './1764110000000-sync-runs';
import { PartnerCenterSettings1764110000001 } from './1764110000001-partner-center-settings';
import { McaPage1764120000000 } from './1764120000000-mca-page';
import { SyncUnusualData1764130000000 } from './1764130000000-sync-unusual-data';
import { JobsAndOutbox1764140000000 } from './1764140000000-jobs-and-outbox';
import { JobSchedules1764140000001 } from './1764140000001-job-schedules';
import { AuditTrail1764150000000 } from './1764150000000-audit-trail';
import { Attestations1764160000000 } from './1764160000000-attestations';
import { Reports1764180000000 } from './1764180000000-reports';
import { RateLimitHits1764190000000 } from './1764190000000-rate-limit-hits';
import { PasswordResetTokens1764190000001 } from './1764190000001-password-reset-tokens';
import { SearchByBroker1764200000000 } from './1764200000000-search-by-broker';
import { SearchIdsByBroker1764210000000 } from './1764210000000-search-ids-by-broker';
import { Acceptances1764220000000 } from './1764220000000-acceptances';
import { AttestationClaims1764230000000 } from './1764230000000-attestation-claims';
import { JobListByBroker1764241000000 } from './1764241000000-job-list-by-broker';
import { EntraSignIn1764245000000 } from './1764245000000-entra-sign-in';
import { ReportRecipients1764250000000 } from './1764250000000-report-recipients';
import { Installation1764255000000 } from './1764255000000-installation';
import { Backups1764260000000 } from './1764260000000-backups';
import { ReportFiles1764270000000 } from './1764270000000-report-files';
import { ApiTokens1764280000000 } from './1764280000000-api-tokens';
import { ApiIdempotencyKeys1764281000000 } from './1764281000000-api-idempotency-keys';
import { ApiTokenRequestCounts1764281500000 } from './1764281500000-api-token-request-counts';
import { Webhooks1764282000000 } from './1764282000000-webhooks';
import { AttestationBatches1764283000000 } from './1764283000000-attestation-batches';
import { TenantListVersions1764290000000 } from './1764290000000-tenant-list-versions';
import { SearchTextStatistics1764300000000 } from './1764300000000-search-text-statistics';

// Applied in timestamp order (TypeORM's order) at start; a new migration is a new file added at the end of this list.
export const MIGRATIONS = [
  Foundation1764100000000,
  SyncRuns1764110000000,
  PartnerCenterSettings1764110000001,
  McaPage1764120000000,
  SyncUnusualData1764130000000,
  JobsAndOutbox1764140000000,
  JobSchedules1764140000001,
  AuditTrail1764150000000,
  Attestations1764160000000,
  Reports1764180000000,
  RateLimitHits1764190000000,
  PasswordResetTokens1764190000001,
  SearchByBroker1764200000000,
  SearchIdsByBroker1764210000000,
  Acceptances1764220000000,
  AttestationClaims1764230000000,
  JobListByBroker1764241000000,
  EntraSignIn1764245000000,
  ReportRecipients1764250000000,
  Installation1764255000000,
  Backups1764260000000,
  ReportFiles1764270000000,
  ApiTokens1764280000000,
  ApiIdempotencyKeys1764281000000,
  ApiTokenRequestCounts1764281500000,
  Webhooks1764282000000,
  AttestationBatches1764283000000,
  TenantListVersions1764290000000,
  SearchTextStatistics1764300000000,
];
