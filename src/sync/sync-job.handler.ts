import { Injectable } from '@nestjs/common';
import { JobHandler, type JobContext } from '../jobs/job-handler';
import { SyncLease } from './sync-lease';
import { SyncRunner } from './sync-runner';
import {
  parseTenantSyncPayload,
  TENANT_SYNC_JOB,
  TENANT_SYNC_MAX_ATTEMPTS,
  tenantSyncKey,
  type TenantSyncPayload,
} from './sync-jobs';

// One sync of the job's broker (the worker runs it with that broker in the request context). The run records its
// own outcome in sync_runs, where the pages read it; the job fails only when its instance dies mid-run.
@Injectable()
@JobHandler<TenantSyncPayload>({
  type: TENANT_SYNC_JOB,
  attempts: TENANT_SYNC_MAX_ATTEMPTS,
  unique: { key: (_payload, brokerId) => tenantSyncKey(brokerId!), scope: 'active' },
})
export class SyncJobHandler implements JobHandler<TenantSyncPayload> {
  constructor(
    private readonly lease: SyncLease,
    private readonly runner: SyncRunner,
  ) {}

  parse(payload: unknown): TenantSyncPayload {
    return parseTenantSyncPayload(payload);
  }

  async handle(payload: TenantSyncPayload, ctx: JobContext): Promise<void> {
    const run = await this.lease.begin(ctx.brokerId!, payload.trigger);
    await this.runner.run(run);
  }
}
