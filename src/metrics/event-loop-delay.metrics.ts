import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { Metrics } from './metrics.service';

// How often the probe's timer is due: a stall is seen at most this much shorter than it was.
export const PROBE_RESOLUTION_MS = 5;

export const EVENT_LOOP_DELAY_BUCKETS = [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5];

// How late the event loop ran a timer due every PROBE_RESOLUTION_MS: a synchronous piece of work (a large query's
// rows on better-sqlite3, a big JSON parse, a sort) holds every request of the process for as long, and shows here
// as one late run. The histogram counts them (over 50 and over 100 ms are buckets); the gauge is the longest since
// the previous scrape. It samples as perf_hooks.monitorEventLoopDelay does, each run observed as it comes:
// monitorEventLoopDelay's HdrHistogram gives counts over a bound only approximately, and resetting it loses the
// delay that spans the reset (measured: a 150 ms hold right after reset() is not recorded). Beside it, the
// process's CPU time in each sample's interval (every thread's, so at least the loop's own): a late run with little
// CPU was the machine's doing, one with as much CPU as delay the process's.
@Injectable()
export class EventLoopDelayMetrics implements OnModuleDestroy {
  private readonly delays: Histogram;
  private readonly busy: Histogram;
  private lastCpu = process.cpuUsage();
  private readonly timer: NodeJS.Timeout;
  private longest = 0;
  private lastRun = performance.now();

  constructor(metrics: Metrics) {
    this.delays = metrics.histogram(
      'mca_event_loop_delay_seconds',
      `How late the event loop ran a timer due every ${PROBE_RESOLUTION_MS} ms, one sample per run`,
      [],
      EVENT_LOOP_DELAY_BUCKETS,
    );
    this.busy = metrics.histogram(
      'mca_event_loop_busy_seconds',
      "The process's CPU time within each of those samples' intervals: how much of a delay was the process's own " +
        'work (on a busy machine the rest is the process waiting for a core)',
      [],
      EVENT_LOOP_DELAY_BUCKETS,
    );
    metrics.gauge(
      'mca_event_loop_delay_max_seconds',
      'The longest event loop delay since the previous scrape of /metrics',
      [],
      (set) => {
        set({}, this.longest);
        this.longest = 0;
      },
    );
    this.timer = setInterval(() => this.sample(), PROBE_RESOLUTION_MS);
    this.timer.unref();
  }

  // Node runs an interval's next turn PROBE_RESOLUTION_MS after this one began: the rest is the delay.
  private sample(): void {
    const now = performance.now();
    const delay = Math.max(0, now - this.lastRun - PROBE_RESOLUTION_MS) / 1000;
    const cpu = process.cpuUsage(this.lastCpu);
    this.lastRun = now;
    this.lastCpu = process.cpuUsage();
    this.delays.observe(delay);
    this.busy.observe((cpu.user + cpu.system) / 1e6);
    this.longest = Math.max(this.longest, delay);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
