import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { Clock } from '../common/clock';
import { AppInstance } from '../common/app-instance';
import { SqlService, type Tx } from '../database/sql.service';
import type { SyncRun, SyncTrigger } from './sync-run.entity';
import { SyncRunsRepository } from './sync.repository';
import { WebhookEvents } from '../webhooks/webhook-events.service';

// A running sync keeps its sync_runs row's heartbeat moving (the page shows its progress from that row).
export const HEARTBEAT_INTERVAL_MS = 20_000;

export const INTERRUPTED_MESSAGE =
  'The sync stopped without finishing (the app instance running it went silent); the tenants it had written are kept and none was marked removed';

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

// A sync's run: its row in sync_runs, and the audit events of its start and end. Which instance syncs a broker is
// decided by the 'tenant.sync' job (one per broker at a time, by its unique key, and taken over by another instance
// when its lease runs out); its run row is still written only while it is `running`, so a run that was taken over
// cannot write over its successor.
@Injectable()
export class SyncLease {
  private readonly owner: string;

  constructor(
    private readonly sql: SqlService,
    private readonly runs: SyncRunsRepository,
    private readonly audit: AuditTrail,
    private readonly webhooks: WebhookEvents,
    private readonly clock: Clock,
    instance: AppInstance,
  ) {
    this.owner = instance.id;
  }

  // Called by the broker's sync job, which alone syncs this broker now: a run still marked running belonged to an
  // attempt that died, and ends as interrupted.
  async begin(brokerId: number, triggeredBy: SyncTrigger): Promise<SyncRun> {
    return this.sql.transaction(async (tx) => {
      const now = this.clock.now();
      await this.runs.endRunning(tx, brokerId, now, INTERRUPTED_MESSAGE);
      const run = await this.runs.insertRunning(tx, { brokerId, triggeredBy, owner: this.owner, now });
      await this.audit.record(tx, {
        action: 'sync.started',
        subject: syncSubject(run),
        data: { trigger: triggeredBy },
      });
      return run;
    });
  }

  async heartbeat(run: SyncRun, progress: { processed: number; total: number | null } | null = null): Promise<void> {
    const held = await this.sql.transaction((tx) =>
      this.runs.updateWhileRunning(tx, run.id, { heartbeatAt: this.clock.now(), ...(progress ?? {}) }),
    );
    if (!held) throw new LeaseLostError();
  }

  // Inside the transaction that writes the tenants: the run ends with them or not at all.
  async succeed(tx: Tx, run: SyncRun, counts: RunCounts): Promise<void> {
    const now = this.clock.now();
    const held = await this.runs.updateWhileRunning(tx, run.id, {
      ...counts,
      status: 'succeeded',
      finishedAt: now,
      heartbeatAt: now,
      error: null,
    });
    if (!held) throw new LeaseLostError();
    await this.audit.record(tx, { action: 'sync.succeeded', subject: syncSubject(run), data: { ...counts } });
    await this.finished(tx, run, { status: 'succeeded', ...counts });
  }

  async fail(run: SyncRun, message: string): Promise<void> {
    const error = message.slice(0, 1000);
    await this.sql.transaction(async (tx) => {
      const ended = await this.runs.updateWhileRunning(tx, run.id, {
        status: 'failed',
        finishedAt: this.clock.now(),
        error,
      });
      if (!ended) return;
      await this.audit.record(tx, { action: 'sync.failed', subject: syncSubject(run), data: { error } });
      await this.finished(tx, run, { status: 'failed', error });
    });
  }

  private finished(tx: Tx, run: SyncRun, outcome: Record<string, unknown>): Promise<number> {
    return this.webhooks.emit(tx, {
      brokerId: run.brokerId,
      type: 'sync.finished',
      data: { id: run.id, trigger: run.triggeredBy, ...outcome, url: '/api/v1/sync' },
    });
  }
}
