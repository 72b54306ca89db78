import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { AppInstance } from '../common/app-instance';
import { SqlService, type Tx } from '../database/sql.service';
import { SyncRun, type SyncTrigger } from './sync-run.entity';

// A running sync keeps its sync_runs row's heartbeat moving (the page shows its progress from that row).
export const HEARTBEAT_INTERVAL_MS = 20_000;

export const INTERRUPTED_MESSAGE =
  'The sync stopped without finishing (the app instance running it went silent); nothing was changed by it';

// Raised when this instance no longer holds the run (another one took it over): the run must write nothing more.
export class LeaseLostError extends Error {
  constructor() {
    super('Another app instance took this sync over after it went silent; its results were discarded');
    this.name = 'LeaseLostError';
  }
}

export interface RunCounts {
  processed: number;
  total: number;
  created: number;
  updated: number;
  removed: number;
}

const syncSubject = (run: SyncRun) => ({ type: 'sync_run', id: run.id });

// The sync_runs rows: the history and progress of a broker's syncs. Which instance syncs a broker is decided by
// the 'tenant.sync' job (one per broker at a time, by its unique key, and taken over by another instance when its
// lease runs out); its run row is still written only while it is `running`, so a run that was taken over cannot
// write over its successor.
@Injectable()
export class SyncLease {
  private readonly owner: string;

  constructor(
    private readonly sql: SqlService,
    private readonly audit: AuditTrail,
    instance: AppInstance,
  ) {
    this.owner = instance.id;
  }

  // Called by the broker's sync job, which alone syncs this broker now: a run still marked running belonged to an
  // attempt that died, and ends as interrupted.
  async begin(brokerId: number, triggeredBy: SyncTrigger): Promise<SyncRun> {
    return this.sql.transaction(async (tx) => {
      const now = new Date();
      await tx.manager.update(
        SyncRun,
        { brokerId, status: 'running' },
        { status: 'failed', finishedAt: now, error: INTERRUPTED_MESSAGE },
      );
      const { identifiers } = await tx.manager.insert(SyncRun, {
        brokerId,
        status: 'running',
        triggeredBy,
        owner: this.owner,
        startedAt: now,
        heartbeatAt: now,
        processed: 0,
        total: null,
      });
      const run = await tx.manager.findOneByOrFail(SyncRun, { id: identifiers[0].id as number });
      await this.audit.record(tx, {
        action: 'sync.started',
        subject: syncSubject(run),
        data: { trigger: triggeredBy },
      });
      return run;
    });
  }

  async heartbeat(run: SyncRun, progress: { processed: number; total: number | null } | null = null): Promise<void> {
    const result = await this.sql.transaction((tx) =>
      tx.manager.update(SyncRun, { id: run.id, status: 'running' }, { heartbeatAt: new Date(), ...(progress ?? {}) }),
    );
    if (result.affected === 0) throw new LeaseLostError();
  }

  // Inside the transaction that writes the tenants: the run ends with them or not at all.
  async succeed(tx: Tx, run: SyncRun, counts: RunCounts): Promise<void> {
    const now = new Date();
    const result = await tx.manager.update(
      SyncRun,
      { id: run.id, status: 'running' },
      { ...counts, status: 'succeeded', finishedAt: now, heartbeatAt: now, error: null },
    );
    if (result.affected === 0) throw new LeaseLostError();
    await this.audit.record(tx, { action: 'sync.succeeded', subject: syncSubject(run), data: { ...counts } });
  }

  async fail(run: SyncRun, message: string): Promise<void> {
    const error = message.slice(0, 1000);
    await this.sql.transaction(async (tx) => {
      const result = await tx.manager.update(
        SyncRun,
        { id: run.id, status: 'running' },
        { status: 'failed', finishedAt: new Date(), error },
      );
      if (result.affected)
        await this.audit.record(tx, { action: 'sync.failed', subject: syncSubject(run), data: { error } });
    });
  }

  latestStart(brokerId: number): Promise<SyncRun | null> {
    return this.sql.manager.findOne(SyncRun, { where: { brokerId }, order: { startedAt: 'DESC' } });
  }
}
