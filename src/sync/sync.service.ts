import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThanOrEqual, Repository } from 'typeorm';
import { BrokerScope } from '../common/broker-scope.service';
import { leaseExpiredBefore } from './sync-lease';
import { SyncRun } from './sync-run.entity';
import type { SyncSummary } from './sync-summary';

@Injectable()
export class SyncService {
  constructor(
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
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
}
