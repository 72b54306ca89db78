import { Injectable, Logger } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { Metrics } from '../metrics/metrics.service';
import type { ReportBuildFigures } from './report-builder';
import type { ReportFormat } from './report-columns';

// What each report build cost in this instance, as the report bench measures it: an operator sees on /metrics and
// in the log the figures the README gives (CPU, wall time, rows, the count's time, the process's peak RSS).
@Injectable()
export class ReportMetrics {
  private readonly logger = new Logger('ReportBuild');
  private readonly cpu: Histogram<'format'>;
  private readonly wall: Histogram<'format'>;
  private readonly rows: Histogram<'format'>;
  private readonly count: Histogram<'format'>;
  private peakRssBytes: number | null = null;

  constructor(metrics: Metrics) {
    const seconds = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
    this.cpu = metrics.histogram(
      'mca_report_build_cpu_seconds',
      "CPU time of the process while it built a report (the count and the file, not the file's copy into the database)",
      ['format'],
      seconds,
    );
    this.wall = metrics.histogram('mca_report_build_seconds', 'Wall time of report builds', ['format'], seconds);
    this.rows = metrics.histogram(
      'mca_report_rows',
      'Rows of built reports',
      ['format'],
      [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000],
    );
    this.count = metrics.histogram(
      'mca_report_count_seconds',
      "Time of a report's count of the tenants it lists",
      ['format'],
      [0.001, 0.005, 0.02, 0.05, 0.1, 0.5, 1],
    );
    metrics.gauge(
      'mca_report_build_peak_rss_bytes',
      "The process's peak resident memory, as of the end of its last report build",
      [],
      (set) => {
        if (this.peakRssBytes !== null) set({}, this.peakRssBytes);
      },
    );
  }

  record(requestId: number, format: ReportFormat, figures: ReportBuildFigures): void {
    const labels = { format };
    this.cpu.observe(labels, figures.cpuMs / 1000);
    this.wall.observe(labels, figures.wallMs / 1000);
    this.rows.observe(labels, figures.rows);
    this.count.observe(labels, figures.countMs / 1000);
    this.peakRssBytes = figures.peakRssBytes;
    this.logger.log({
      msg: `Report ${requestId} built: ${figures.rows} rows (${format}) in ${Math.round(figures.wallMs)} ms, ${Math.round(figures.cpuMs)} ms of CPU`,
      requestId,
      format,
      rows: figures.rows,
      bytes: figures.bytes,
      countMs: Math.round(figures.countMs * 10) / 10,
      wallMs: Math.round(figures.wallMs),
      cpuMs: Math.round(figures.cpuMs),
      peakRssMb: Math.round(figures.peakRssBytes / 1024 / 1024),
    });
  }
}
