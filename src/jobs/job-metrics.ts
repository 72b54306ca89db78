import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { Clock } from '../common/clock';
import { Metrics } from '../metrics/metrics.service';
import { JobsRepository } from './jobs.repository';

// The queue as Prometheus sees it: what waits (read from the jobs table at each scrape, so every instance reports the
// same shared queue) and what this instance's worker finished.
@Injectable()
export class JobMetrics {
  readonly finished: Counter<'kind' | 'result'>;

  constructor(metrics: Metrics, jobs: JobsRepository, clock: Clock) {
    this.finished = metrics.counter(
      'mca_jobs_finished_total',
      "Job attempts this instance's worker ended, by kind and result (succeeded, retried, dead)",
      ['kind', 'result'],
    );
    metrics.gauge('mca_jobs_queued', 'Jobs waiting in the queue (due or later), by kind', ['kind'], async (set) => {
      for (const { type, count } of await jobs.queuedByType()) set({ kind: type }, count);
    });
    metrics.gauge(
      'mca_jobs_oldest_due_seconds',
      'How long the longest-waiting due job of each kind has waited past its time',
      ['kind'],
      async (set) => {
        const now = clock.now();
        for (const { type, oldest } of await jobs.oldestDueByType(now))
          set({ kind: type }, Math.max(0, (now.getTime() - oldest.getTime()) / 1000));
      },
    );
  }
}
