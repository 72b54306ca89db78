import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { ConflictError } from '../common/domain-errors';
import { SqlService, type Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import { PartnerCenterError } from '../partner-center/partner-center.types';
import { PartnerCenterSettingsService } from '../partner-center-settings/partner-center-settings.service';
import type { SyncTrigger } from './sync-run.entity';
import { TENANT_SYNC_JOB, TENANT_SYNC_SCHEDULE_JOB } from './sync-jobs';
import type { SyncSummary } from '../tenants/sync-status';
import { readSyncSummary } from './sync-summary';

const IDLE_POLL_MS = 25;

export const SYNC_ALREADY_RUNNING = 'A sync from Microsoft is already running.';

@Injectable()
export class SyncService {
  constructor(
    private readonly sql: SqlService,
    private readonly queue: JobQueue,
    private readonly scope: BrokerScope,
    private readonly audit: AuditTrail,
    private readonly settings: PartnerCenterSettingsService,
  ) {}

  // Read on every render of the MCA page (readSyncSummary).
  summary(): Promise<SyncSummary> {
    return readSyncSummary(this.sql, this.scope.brokerId());
  }

  // Asks for a sync of the current broker; false when one is already queued or running (here or in another app
  // instance), which then simply goes on. The request is the user's (or the API token's) in the audit trail; the
  // run is the system's. Refused at once, in the settings' own words, when Partner Center is not set up: the run
  // would only fail.
  async start(triggeredBy: SyncTrigger): Promise<boolean> {
    const brokerId = this.scope.brokerId();
    await this.settings.credentialsFor(brokerId).catch((error: unknown) => {
      throw error instanceof PartnerCenterError && error.kind === 'auth' ? new ConflictError(error.message) : error;
    });
    return this.sql.transaction(async (tx) => {
      const jobId = await this.enqueue(tx, brokerId, triggeredBy);
      if (jobId === null) return false;
      await this.audit.record(tx, { action: 'sync.requested', subject: { type: 'job', id: jobId }, data: {} });
      return true;
    });
  }

  // The same request, for a caller that must hear that one is running already (the API).
  async startNew(triggeredBy: SyncTrigger): Promise<void> {
    if (!(await this.start(triggeredBy))) throw new ConflictError(SYNC_ALREADY_RUNNING);
  }

  enqueue(tx: Tx, brokerId: number, trigger: SyncTrigger): Promise<number | null> {
    return this.queue.enqueue(tx, TENANT_SYNC_JOB, { trigger }, { brokerId });
  }

  // Resolves once no sync job (nor a schedule that asks for them) is queued or running, in any instance.
  async whenIdle(): Promise<void> {
    while (await this.queue.anyActive([TENANT_SYNC_JOB, TENANT_SYNC_SCHEDULE_JOB])) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
    }
  }
}
