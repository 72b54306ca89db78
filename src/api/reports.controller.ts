import { Body, Get, HttpCode, HttpStatus, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PathId } from '../common/ids';
import { REPORT_FORMATS } from '../reports/report-columns';
import { parseFilter } from '../reports/report-filter';
import { CONTENT_TYPES, reportFileName } from '../reports/report-files';
import type { ReportRequest } from '../reports/report-request.entity';
import { ReportRequestsService } from '../reports/report-requests.service';
import { API_VERSION_PATH, ApiController } from './api-controller.decorator';
import { ApiProblems } from './api-docs';
import { ReportDto, ReportRequestBodyDto, type ApiReportStatus } from './dto/report.dto';

const reportUrl = (id: number): string => `/${API_VERSION_PATH}/reports/${id}`;

// 'sent' is the mailed report's word; a report of the API is mailed to no one.
const STATUS: Record<ReportRequest['state'], ApiReportStatus> = {
  queued: 'queued',
  running: 'running',
  sent: 'ready',
  failed: 'failed',
};

function reportJson(request: ReportRequest): ReportDto {
  const status = STATUS[request.state];
  return {
    id: request.id,
    status,
    format: request.format,
    filter: parseFilter(request.filter),
    rowsWritten: request.rowsWritten,
    rowsTotal: request.rowsTotal,
    fileSize: request.fileSize,
    error: request.error,
    createdAt: request.createdAt.toISOString(),
    finishedAt: request.finishedAt?.toISOString() ?? null,
    expiresAt: request.expiresAt.toISOString(),
    url: reportUrl(request.id),
    fileUrl: status === 'ready' ? `${reportUrl(request.id)}/file` : null,
  };
}

// The "Generate MCA report" form for programs: ask for a report, follow it, download its file.
@ApiTags('Reports')
@ApiController('reports')
export class ReportsController {
  constructor(private readonly requests: ReportRequestsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'requestReport',
    summary: 'Ask for an MCA report',
    description:
      'The report form of the app: CSV or XLSX, every tenant or those a status filter and a search select. It is ' +
      'built in the background; follow it at its `url` (the `Location` header) until it is `ready`. Counted against ' +
      "the token's report limit, as a person's requests are against theirs.",
  })
  @ApiAcceptedResponse({ type: ReportDto, description: 'Queued' })
  @ApiProblems('unauthenticated', 'forbidden', 'validation-failed', 'rate-limited')
  async request(@Body() body: ReportRequestBodyDto, @Res({ passthrough: true }) res: Response): Promise<ReportDto> {
    const request = await this.requests.requestByApi(body);
    res.location(reportUrl(request.id));
    return reportJson(request);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getReport', summary: "Read a report's status" })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiOkResponse({ type: ReportDto })
  @ApiProblems('unauthenticated', 'not-found', 'rate-limited')
  async status(@PathId('id') id: number): Promise<ReportDto> {
    return reportJson(await this.requests.apiReport(id));
  }

  @Get(':id/file')
  @ApiOperation({
    operationId: 'downloadReport',
    summary: "Download a report's file",
    description: 'Streamed as it is stored. Refused (409) until the report is `ready`.',
  })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiProduces(...REPORT_FORMATS.map((format) => CONTENT_TYPES[format]))
  @ApiOkResponse({
    description: 'The CSV or XLSX file',
    content: Object.fromEntries(
      REPORT_FORMATS.map((format) => [CONTENT_TYPES[format], { schema: { type: 'string', format: 'binary' } }]),
    ),
  })
  @ApiProblems('unauthenticated', 'not-found', 'conflict', 'rate-limited')
  async file(@PathId('id') id: number, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const { request, content } = await this.requests.downloadableByApi(id);
    res.set('Cache-Control', 'private, no-store');
    return new StreamableFile(content, {
      type: CONTENT_TYPES[request.format],
      disposition: `attachment; filename="${reportFileName(request.createdAt, request.format)}"`,
      length: request.fileSize ?? undefined,
    });
  }
}
