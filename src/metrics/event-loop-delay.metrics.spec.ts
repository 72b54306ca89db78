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
      // Held for 150 ms of CPU (of wall time at least as much, however busy the machine).
      const held = process.cpuUsage();
      while ((({ user, system }) => user + system)(process.cpuUsage(held)) < 150_000) {
        // the synchronous work a large query's rows would be
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const text = await metrics.registry.metrics();
      expect(over100ms(text) - before).toBeGreaterThanOrEqual(1);
      expect(sample(text, /^mca_event_loop_delay_max_seconds (\S+)$/m)).toBeGreaterThan(0.1);
      // The hold was the process's own work: its CPU time shows it too.
      const busyOver100ms =
        sample(text, /^mca_event_loop_busy_seconds_count (\S+)$/m) -
        sample(text, /^mca_event_loop_busy_seconds_bucket\{le="0.1"\} (\S+)$/m);
      expect(busyOver100ms).toBeGreaterThanOrEqual(1);
      // The longest is since the previous scrape.
      expect(sample(await metrics.registry.metrics(), /^mca_event_loop_delay_max_seconds (\S+)$/m)).toBeLessThan(0.1);
    } finally {
      probe.onModuleDestroy();
    }
  });
});
