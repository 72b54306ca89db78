import { Foundation1764100000000 } from './1764100000000-foundation';
import { SyncRuns1764110000000 } from './1764110000000-sync-runs';
import { McaPage1764120000000 } from './1764120000000-mca-page';
import { PartnerCenterSettings1764110000001 } from './1764110000001-partner-center-settings';
import { JobsAndOutbox1764140000000 } from './1764140000000-jobs-and-outbox';
import { AuditTrail1764150000000 } from './1764150000000-audit-trail';
import { JobSchedules1764140000001 } from './1764140000001-job-schedules';
import { Reports1764180000000 } from './1764180000000-reports';

// Applied in order at start; a new migration is a new file added at the end of this list.
export const MIGRATIONS = [
  Foundation1764100000000,
  SyncRuns1764110000000,
  PartnerCenterSettings1764110000001,
  McaPage1764120000000,
  JobsAndOutbox1764140000000,
  AuditTrail1764150000000,
  JobSchedules1764140000001,
  Reports1764180000000,
];
