import { Injectable } from '@nestjs/common';
import { SqlService, templateOf, type SqlReader, type Tx } from '../database/sql.service';
import { SyncRun, type SyncTrigger } from './sync-run.entity';

// The running sync's progress, as the MCA page shows it.
export interface RunningSync {
  startedAt: Date | null;
  processed: number;
  total: number | null;
}

// The broker's latest finished sync: how it ended, and what it could not use.
export interface FinishedSync {
  status: 'succeeded' | 'failed';
  finishedAt: Date | null;
  error: string | null;
  unusualCount: number;
  unusualIds: string[];
  unreadCount: number;
  unreadIds: string[];
  unreadReason: string | null;
}

interface RawRunningSync {
  started_at: unknown;
  processed: number | string | null;
  total: number | string | null;
}

interface RawFinishedSync {
  status: 'succeeded' | 'failed';
  finished_at: unknown;
  error: string | null;
  unusual_count: number | string | null;
  unusual_ids: string | null;
  unread_count: number | string | null;
  unread_ids: string | null;
  unread_reason: string | null;
}

// Ids are kept space-separated in their column.
const idsOf = (text: string | null): string[] => (text ?? '').split(' ').filter(Boolean);

// The sync_runs reads of the MCA page, on a SqlReader alone (the bench's bare server runs them as the app does):
// plain indexed single-row lookups.
export class SyncRunReads {
  protected readonly query;

  constructor(protected readonly reader: SqlReader) {
    this.query = templateOf(reader);
  }

  async running(brokerId: number): Promise<RunningSync | null> {
    const [row] = await this.query<RawRunningSync>`
      SELECT started_at, processed, total FROM sync_runs WHERE broker_id = ${brokerId} AND status = 'running'`;
    if (!row) return null;
    return {
      startedAt: this.reader.dialect.decodeTimestamp(row.started_at),
      processed: Number(row.processed ?? 0),
      total: row.total === null ? null : Number(row.total),
    };
  }

  async lastFinished(brokerId: number): Promise<FinishedSync | null> {
    const [row] = await this.query<RawFinishedSync>`
      SELECT status, finished_at, error, unusual_count, unusual_ids, unread_count, unread_ids, unread_reason FROM sync_runs
      WHERE broker_id = ${brokerId} AND status IN ('succeeded', 'failed') ORDER BY finished_at DESC, id DESC LIMIT 1`;
    if (!row) return null;
    return {
      status: row.status,
      finishedAt: this.reader.dialect.decodeTimestamp(row.finished_at),
      error: row.error,
      unusualCount: Number(row.unusual_count ?? 0),
      unusualIds: idsOf(row.unusual_ids),
      unreadCount: Number(row.unread_count ?? 0),
      unreadIds: idsOf(row.unread_ids),
      unreadReason: row.unread_reason,
    };
  }

  async lastSuccessAt(brokerId: number): Promise<Date | null> {
    const [row] = await this.query<{ finished_at: unknown }>`
      SELECT finished_at FROM sync_runs WHERE broker_id = ${brokerId} AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1`;
    return row ? this.reader.dialect.decodeTimestamp(row.finished_at) : null;
  }
}

// All the SQL of sync_runs: the history and progress of a broker's syncs. A run's row is written only while it is
// `running` (updateWhileRunning), so that a run that was taken over cannot write over its successor.
@Injectable()
export class SyncRunsRepository extends SyncRunReads {
  constructor(private readonly sql: SqlService) {
    super(sql);
  }

  // A run still marked running ends as failed with `error`.
  async endRunning(tx: Tx, brokerId: number, now: Date, error: string): Promise<void> {
    await tx.manager.update(SyncRun, { brokerId, status: 'running' }, { status: 'failed', finishedAt: now, error });
  }

  async insertRunning(
    tx: Tx,
    run: { brokerId: number; triggeredBy: SyncTrigger; owner: string; now: Date },
  ): Promise<SyncRun> {
    const { identifiers } = await tx.manager.insert(SyncRun, {
      brokerId: run.brokerId,
      status: 'running',
      triggeredBy: run.triggeredBy,
      owner: run.owner,
      startedAt: run.now,
      heartbeatAt: run.now,
      processed: 0,
      total: null,
    });
    return tx.manager.findOneByOrFail(SyncRun, { id: identifiers[0].id as number });
  }

  // False when the run is no longer running (another instance took it over, or it ended).
  async updateWhileRunning(tx: Tx, runId: number, changes: Partial<SyncRun>): Promise<boolean> {
    const result = await tx.manager.update(SyncRun, { id: runId, status: 'running' }, changes);
    return result.affected !== 0;
  }

  latestStart(brokerId: number): Promise<SyncRun | null> {
    return this.sql.manager.findOne(SyncRun, { where: { brokerId }, order: { startedAt: 'DESC' } });
  }
}
