import { join } from 'node:path';
import type { ReportFormat } from './report-columns';

export const REPORT_RETENTION_MS = 7 * 24 * 3_600_000;

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

// Where a request's file lives: under DATA_DIR/reports, named by broker and request only (never by user input).
export const reportFilePath = (dataDir: string, brokerId: number, requestId: number, format: ReportFormat): string =>
  join(dataDir, 'reports', String(brokerId), `report-${requestId}.${format}`);

// The name a recipient sees: mca-report-2026-11-30.csv
export const reportFileName = (createdAt: Date, format: ReportFormat): string =>
  `mca-report-${createdAt.toISOString().slice(0, 10)}.${format}`;
