import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThanOrEqual, Repository } from 'typeorm';
import { BrokerScope } from '../common/broker-scope.service';
import { runForBroker } from '../common/request-context';
import { leaseExpiredBefore, SyncLease } from './sync-lease';
import { SyncRun, type SyncTrigger } from './sync-run.entity';
import { SyncRunner } from './sync-runner';
import type { SyncSummary } from './sync-summary';

@Injectable()
export class SyncService implements OnApplicationShutdown {
  private readonly logger = new Logger(SyncService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
    private readonly lease: SyncLease,
    private readonly runner: SyncRunner,
    private readonly scope: BrokerScope,
  ) {}

  // Three indexed single-row reads: cheap enough for every render of the MCA page.
  async summary(): Promise<SyncSummary> {
    const [running, lastSuccess, lastFinished] = await Promise.all([
      this.runs.findOne({ where: this.scope.where<SyncRun>({ status: 'running', heartbeatAt: MoreThanOrEqual(leaseExpiredBefore(new Date())) }) }),
      this.runs.findOne({ where: this.scope.where<SyncRun>({ status: 'succeeded' }), order: { finishedAt: 'DESC' } }),
      this.runs.findOne({ where: this.scope.where<SyncRun>({ status: In(['succeeded', 'failed']) }), order: { finishedAt: 'DESC', id: 'DESC' } }),
    ]);
    return {
      running: running !== null,
      startedAt: running?.startedAt ?? null,
      progress: running ? { processed: running.processed, total: running.total } : null,
      lastSuccessAt: lastSuccess?.finishedAt ?? null,
      lastFailure: lastFinished?.status === 'failed' && lastFinished.finishedAt ? { at: lastFinished.finishedAt, message: lastFinished.error ?? 'Unknown error' } : null,
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
