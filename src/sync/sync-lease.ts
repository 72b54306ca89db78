import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { SyncRun, type SyncTrigger } from './sync-run.entity';

// A running sync proves it is alive by moving its heartbeat; one silent for longer than this is taken over.
export const HEARTBEAT_INTERVAL_MS = 20_000;
export const LEASE_EXPIRY_MS = 3 * 60_000;

export const leaseExpiredBefore = (now: Date): Date => new Date(now.getTime() - LEASE_EXPIRY_MS);

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

const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
};

// The `running` row of sync_runs is the lease: the database's unique partial index lets one exist per broker,
// whichever app instance asks, and every write of a run is conditional on it still being running.
@Injectable()
export class SyncLease {
  private readonly owner = `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(@InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>) {}

  // Null when a run is already going for this broker.
  async acquire(brokerId: number, triggeredBy: SyncTrigger): Promise<SyncRun | null> {
    const now = new Date();
    await this.runs.update(
      { brokerId, status: 'running', heartbeatAt: LessThan(leaseExpiredBefore(now)) },
      { status: 'failed', finishedAt: now, error: INTERRUPTED_MESSAGE },
    );
    try {
      // A single INSERT, not save(): no transaction held open across an await while another instance writes.
      const { identifiers } = await this.runs.insert({
        brokerId,
        status: 'running',
        triggeredBy,
        owner: this.owner,
        startedAt: now,
        heartbeatAt: now,
        processed: 0,
        total: null,
      });
      return await this.runs.findOneByOrFail({ id: identifiers[0].id as number });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async heartbeat(run: SyncRun, progress: { processed: number; total: number | null } | null = null): Promise<void> {
    const result = await this.runs.update(
      { id: run.id, status: 'running' },
      { heartbeatAt: new Date(), ...(progress ?? {}) },
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
    await this.runs.update(
      { id: run.id, status: 'running' },
      { status: 'failed', finishedAt: new Date(), error: message.slice(0, 1000) },
    );
  }

  latestStart(brokerId: number): Promise<SyncRun | null> {
    return this.runs.findOne({ where: { brokerId }, order: { startedAt: 'DESC' } });
  }
}
