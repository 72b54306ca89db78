import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BrokerScope } from '../common/broker-scope.service';
import { runForBroker } from '../common/request-context';
import { decodeTimestamp as timestampFromRow } from '../database/dialect';
import { SqlService } from '../database/sql.service';
import { leaseExpiredBefore, SyncLease } from './sync-lease';
import { SyncRun, type SyncTrigger } from './sync-run.entity';
import { SyncRunner } from './sync-runner';
import type { SyncSummary } from '../tenants/sync-status';

// The columns each summary query reads; each query selects only those it needs.
interface SummaryRow {
  status?: SyncRun['status'];
  started_at?: unknown;
  heartbeat_at?: unknown;
  finished_at?: unknown;
  processed: number;
  total: number | null;
  error?: string | null;
}

@Injectable()
export class SyncService implements OnApplicationShutdown {
  private readonly logger = new Logger(SyncService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
    private readonly lease: SyncLease,
    private readonly runner: SyncRunner,
    private readonly scope: BrokerScope,
    private readonly sql: SqlService,
  ) {}

  // Read on every render of the MCA page: plain indexed single-row lookups rather than entity queries.
  async summary(): Promise<SyncSummary> {
    const brokerId = this.scope.brokerId();
    const query = (text: TemplateStringsArray, ...values: unknown[]) => this.sql.query<SummaryRow>(text, ...values);
    const [running] =
      await query`SELECT started_at, heartbeat_at, processed, total FROM sync_runs WHERE broker_id = ${brokerId} AND status = 'running'`;
    const [lastFinished] = await query`
      SELECT status, finished_at, error FROM sync_runs
      WHERE broker_id = ${brokerId} AND status IN ('succeeded', 'failed') ORDER BY finished_at DESC, id DESC LIMIT 1`;
    const [lastSuccess] =
      lastFinished?.status === 'failed'
        ? await query`SELECT finished_at FROM sync_runs WHERE broker_id = ${brokerId} AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1`
        : [lastFinished];
    const alive =
      running && (timestampFromRow(running.heartbeat_at)?.getTime() ?? 0) >= leaseExpiredBefore(new Date()).getTime();
    const failedAt = lastFinished?.status === 'failed' ? timestampFromRow(lastFinished.finished_at) : null;
    return {
      running: Boolean(alive),
      startedAt: alive ? timestampFromRow(running.started_at) : null,
      progress: alive ? { processed: running.processed, total: running.total } : null,
      lastSuccessAt: timestampFromRow(lastSuccess?.finished_at),
      lastFailure: failedAt ? { at: failedAt, message: lastFinished?.error ?? 'Unknown error' } : null,
    };
  }

  // Starts a sync of the current broker in the background; false when one is already running (here or in
  // another app instance), which then simply goes on.
  async start(triggeredBy: SyncTrigger): Promise<boolean> {
    const brokerId = this.scope.brokerId();
    const run = await this.lease.acquire(brokerId, triggeredBy);
    if (!run) return false;
    const job = runForBroker(brokerId, () => this.runner.run(run))
      .catch((error: unknown) => this.logger.error(`Sync ${run.id} crashed: ${String(error)}`))
      .finally(() => this.inFlight.delete(job));
    this.inFlight.add(job);
    return true;
  }

  // Resolves when every sync this instance started has ended (the scheduler runs brokers one after another;
  // shutdown lets runs finish rather than cut them off mid-transaction).
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.whenIdle();
  }
}
