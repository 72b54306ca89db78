import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { SqlService } from '../database/sql.service';
import { Metrics } from '../metrics/metrics.service';

// The queue as Prometheus sees it: what waits (read from the jobs table at each scrape, so every instance reports the
// same shared queue) and what this instance's worker finished.
@Injectable()
export class JobMetrics {
  readonly finished: Counter<'kind' | 'result'>;

  constructor(metrics: Metrics, sql: SqlService) {
    this.finished = metrics.counter(
      'mca_jobs_finished_total',
      "Job attempts this instance's worker ended, by kind and result (succeeded, retried, dead)",
      ['kind', 'result'],
    );
    metrics.gauge('mca_jobs_queued', 'Jobs waiting in the queue (due or later), by kind', ['kind'], async (set) => {
      const rows = await sql.query<{ type: string; n: number | string }>`
        SELECT type, count(*) AS n FROM jobs WHERE state = 'queued' GROUP BY type`;
      for (const row of rows) set({ kind: row.type }, Number(row.n));
    });
    metrics.gauge(
      'mca_jobs_oldest_due_seconds',
      'How long the longest-waiting due job of each kind has waited past its time',
      ['kind'],
      async (set) => {
        const now = new Date();
        const rows = await sql.query<{ type: string; oldest: unknown }>`
          SELECT type, min(run_at) AS oldest FROM jobs
          WHERE state = 'queued' AND run_at <= ${sql.dialect.encodeTimestamp(now)} GROUP BY type`;
        for (const row of rows) {
          const oldest = sql.dialect.decodeTimestamp(row.oldest);
          if (oldest) set({ kind: row.type }, Math.max(0, (now.getTime() - oldest.getTime()) / 1000));
        }
      },
    );
  }
}
