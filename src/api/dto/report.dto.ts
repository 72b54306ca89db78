import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { REPORT_FORMATS, type ReportFormat } from '../../reports/report-columns';
import { RejectUnknownFields } from '../../common/validation.pipe';
import { SEARCH_MAX_LENGTH, STATUS_FILTERS, type StatusFilter } from '../../tenants/mca-query';

export const API_REPORT_STATUSES = ['queued', 'running', 'ready', 'failed'] as const;
export type ApiReportStatus = (typeof API_REPORT_STATUSES)[number];

// The report form's fields without the recipient: the file is collected through the API. Every rule (and its
// words) is the service's, as on the form.
@RejectUnknownFields()
export class ReportRequestBodyDto {
  @ApiProperty({ enum: REPORT_FORMATS, example: 'csv' })
  @IsOptional()
  format?: unknown;

  @ApiPropertyOptional({
    enum: STATUS_FILTERS,
    default: 'all',
    description: "The MCA page's status filter (as `GET /api/v1/tenants` takes it)",
  })
  @IsOptional()
  status?: unknown;

  @ApiPropertyOptional({
    maxLength: SEARCH_MAX_LENGTH,
    description: "The MCA page's search; the report lists every match, where the page stops at the first ones",
  })
  @IsOptional()
  q?: unknown;
}

export class ReportFilterDto {
  @ApiProperty({ enum: STATUS_FILTERS })
  status: StatusFilter;

  @ApiProperty({ example: '' })
  q: string;
}

export class ReportDto {
  @ApiProperty({ type: 'integer', example: 12 })
  id: number;

  @ApiProperty({
    enum: API_REPORT_STATUSES,
    description: '`ready`: the file can be downloaded at `fileUrl`',
  })
  status: ApiReportStatus;

  @ApiProperty({ enum: REPORT_FORMATS })
  format: ReportFormat;

  @ApiProperty({ type: ReportFilterDto })
  filter: ReportFilterDto;

  @ApiProperty({ type: 'integer', description: 'Tenants written so far' })
  rowsWritten: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Tenants the report lists, once known' })
  rowsTotal: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The size of the file in bytes, once ready' })
  fileSize: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why it failed (or why an attempt failed)' })
  error: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  @ApiProperty({ format: 'date-time', description: 'The report and its file are deleted then' })
  expiresAt: string;

  @ApiProperty({ example: '/api/v1/reports/12' })
  url: string;

  @ApiProperty({ type: String, nullable: true, example: '/api/v1/reports/12/file', description: 'Once ready' })
  fileUrl: string | null;
}
