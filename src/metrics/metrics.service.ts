import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

type GaugeRead = (set: (labels: Record<string, string>, value: number) => void) => Promise<void> | void;

// The app's Prometheus registry (one per app, so that two apps in one process keep their own figures). Each feature
// declares its own series here; what is read from the database is read when Prometheus asks, not kept in memory.
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  // A gauge whose values are read at each scrape: `read` sets one value per label set, and only those are reported.
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: GaugeRead): Gauge<L> {
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await read((labels, value) => this.set(labels as Partial<Record<L, string>>, value));
      },
    });
  }
}
