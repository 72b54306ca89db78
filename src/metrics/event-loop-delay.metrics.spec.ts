import { EventLoopDelayMetrics } from './event-loop-delay.metrics';
import { Metrics } from './metrics.service';

const sample = (text: string, line: RegExp): number => Number(line.exec(text)?.[1] ?? NaN);

describe('EventLoopDelayMetrics', () => {
  it('should count a turn of the event loop held for over 100 ms, and report it as the longest', async () => {
    const metrics = new Metrics();
    const probe = new EventLoopDelayMetrics(metrics);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const over100ms = (text: string) =>
        sample(text, /^mca_event_loop_delay_seconds_count (\S+)$/m) -
        sample(text, /^mca_event_loop_delay_seconds_bucket\{le="0.1"\} (\S+)$/m);
      const before = over100ms(await metrics.registry.metrics());
      const held = performance.now();
      while (performance.now() - held < 150) {
        // the synchronous work a large query's rows would be
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const text = await metrics.registry.metrics();
      expect(over100ms(text) - before).toBeGreaterThanOrEqual(1);
      expect(sample(text, /^mca_event_loop_delay_max_seconds (\S+)$/m)).toBeGreaterThan(0.1);
      // The longest is since the previous scrape.
      expect(sample(await metrics.registry.metrics(), /^mca_event_loop_delay_max_seconds (\S+)$/m)).toBeLessThan(0.1);
    } finally {
      probe.onModuleDestroy();
    }
  });
});
