import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Histogram } from 'prom-client';
import { Metrics } from './metrics.service';

// How often the probe's timer is due: a stall is seen at most this much shorter than it was.
export const PROBE_RESOLUTION_MS = 5;
// The probe's samples are moved into the Prometheus histogram this often (and at each scrape), so that a scrape
// sees at most this old a picture.
const DRAIN_EVERY_MS = 1_000;

export const EVENT_LOOP_DELAY_BUCKETS = [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5];

// The Prometheus histogram of the samples in `recorded`, each observed as the value HdrHistogram gives its
// percentile (the count between two listed percentiles at the higher one's value): its counts are exact, each
// value at most HdrHistogram's precision (0.1%) above the sample's.
export function samplesOf(recorded: Pick<IntervalHistogram, 'count' | 'percentiles'>): number[] {
  const samples: number[] = [];
  let taken = 0;
  for (const [percentile, value] of [...recorded.percentiles].sort(([a], [b]) => a - b)) {
    const upTo = Math.round((recorded.count * percentile) / 100);
    for (; taken < upTo; taken += 1) samples.push(value);
  }
  return samples;
}

// How late the event loop ran a timer due every PROBE_RESOLUTION_MS (perf_hooks.monitorEventLoopDelay): a
// synchronous piece of work (a large query's rows on better-sqlite3, a big JSON parse, a sort) holds every request
// of the process for as long, and shows here as one late sample. The histogram counts the samples over 50 and
// 100 ms; the gauge is the longest since the previous scrape.
@Injectable()
export class EventLoopDelayMetrics implements OnModuleDestroy {
  private readonly probe = monitorEventLoopDelay({ resolution: PROBE_RESOLUTION_MS });
  private readonly delays: Histogram;
  private readonly timer: NodeJS.Timeout;
  private longest = 0;

  constructor(metrics: Metrics) {
    // Declared first: a scrape collects in this order, so the histogram it reads next has every sample.
    metrics.gauge(
      'mca_event_loop_delay_max_seconds',
      'The longest event loop delay since the previous scrape of /metrics',
      [],
      (set) => {
        this.drain();
        set({}, this.longest);
        this.longest = 0;
      },
    );
    this.delays = metrics.histogram(
      'mca_event_loop_delay_seconds',
      `How late the event loop ran a timer due every ${PROBE_RESOLUTION_MS} ms: each sample one turn of the loop`,
      [],
      EVENT_LOOP_DELAY_BUCKETS,
    );
    this.probe.enable();
    this.timer = setInterval(() => this.drain(), DRAIN_EVERY_MS);
    this.timer.unref();
  }

  // Each sample is the time between two runs of the timer: what it waited beyond its due time is the delay.
  private drain(): void {
    if (this.probe.count === 0) return;
    for (const sample of samplesOf(this.probe)) {
      const delay = Math.max(0, sample / 1e6 - PROBE_RESOLUTION_MS) / 1000;
      this.delays.observe(delay);
      this.longest = Math.max(this.longest, delay);
    }
    this.probe.reset();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.probe.disable();
  }
}
