import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EntityManager } from 'typeorm';
import { SqlService } from '../database/sql.service';
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

// The sync_runs rows: the history and progress of a broker's syncs. Which instance syncs a broker is decided by
// the 'tenant.sync' job (one per broker at a time, by its unique key, and taken over by another instance when its
// lease runs out); its run row is still written only while it is `running`, so a run that was taken over cannot
// write over its successor.
@Injectable()
export class SyncLease {
  private readonly owner = `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(private readonly sql: SqlService) {}

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
      return tx.manager.findOneByOrFail(SyncRun, { id: identifiers[0].id as number });
    });
  }

  async heartbeat(run: SyncRun, progress: { processed: number; total: number | null } | null = null): Promise<void> {
    const result = await this.sql.transaction((tx) =>
      tx.manager.update(SyncRun, { id: run.id, status: 'running' }, { heartbeatAt: new Date(), ...(progress ?? {}) }),
    );
    if (result.affected === 0) throw new LeaseLostError();
  }

  // Inside the transaction that writes the tenants: the run ends with them or not at all.
  async succeed(manager: EntityManager, run: SyncRun, counts: RunCounts): Promise<void> {
    const now = new Date();
    const result = await manager.update(
      SyncRun,
      { id: run.id, status: 'running' },
      { ...counts, status: 'succeeded', finishedAt: now, heartbeatAt: now, error: null },
    );
    if (result.affected === 0) throw new LeaseLostError();
  }

  async fail(run: SyncRun, message: string): Promise<void> {
    await this.sql.transaction((tx) =>
      tx.manager.update(
        SyncRun,
        { id: run.id, status: 'running' },
        { status: 'failed', finishedAt: new Date(), error: message.slice(0, 1000) },
      ),
    );
  }

  latestStart(brokerId: number): Promise<SyncRun | null> {
    return this.sql.manager.findOne(SyncRun, { where: { brokerId }, order: { startedAt: 'DESC' } });
  }
}
