import { Injectable, Logger } from '@nestjs/common';
import { apiPaths } from '../webhooks/webhook-event-types';
import { WebhookEvents } from '../webhooks/webhook-events.service';
import { AppUrl } from '../common/app-url';
import { Clock } from '../common/clock';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokersRepository } from '../brokers/brokers.repository';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService, type Tx } from '../database/sql.service';
import { JobHandler, PermanentJobError, type JobContext } from '../jobs/job-handler';
import { Outbox } from '../mail/outbox.service';
import { ReportBuilder } from './report-builder';
import { ReportMetrics } from './report-metrics';
import { filterText, parseFilter, storedFilter } from './report-filter';
import { CONTENT_TYPES, REPORT_FILE_ATTACHMENTS, ReportFiles, reportFileName, reportTempPath } from './report-files';
import type { ReportDelivery, ReportRequest } from './report-request.entity';
import { isApiReport, REPORT_GENERATE_JOB, REPORT_JOB_ATTEMPTS } from './report-requests.service';
import { recipientRule, splitRecipients } from './report-recipients';
import { ReportSettingsService } from './report-settings.service';
import { ReportsRepository } from './reports.repository';

const PROGRESS_EVERY_MS = 500;
const numberFormat = new Intl.NumberFormat('en-GB');
const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

const skippedText = (skipped: string[]): string =>
  `Left out, as the report settings no longer allow them: ${skipped.join(', ')}`;

const sizeText = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

interface Attachment {
  delivery: ReportDelivery;
  filename: string;
  contentType: string;
  bytes: number;
}

// The bytes `path` takes gzip-compressed, counted without writing them anywhere.
async function gzipSize(path: string): Promise<number> {
  let size = 0;
  await pipeline(
    createReadStream(path),
    createGzip(),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done();
      },
    }),
  );
  return size;
}

// What a recipient reads on the page when the server ran out of room, instead of an errno.
const NO_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', '53100']);
export function failureText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NO_SPACE_CODES.has(code))
    return "The report could not be stored, as the server's disk is full: nothing of it was kept";
  return `The report could not be built: ${error instanceof Error ? error.message : String(error)}`;
}

// Builds a requested (or scheduled) report, then mails it to each recipient through the outbox: attached as it
// is, gzip-compressed when larger than a few MB, or as a link to the download when larger still.
@Injectable()
@JobHandler<{ requestId: number }>({
  type: REPORT_GENERATE_JOB,
  attempts: REPORT_JOB_ATTEMPTS,
  unique: { key: ({ requestId }) => `report:${requestId}` },
})
export class ReportGenerateHandler implements JobHandler<{ requestId: number }> {
  private readonly logger = new Logger(ReportGenerateHandler.name);
  private readonly app: AppConfig;

  constructor(
    private readonly sql: SqlService,
    private readonly reports: ReportsRepository,
    private readonly builder: ReportBuilder,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly appUrl: AppUrl,
    private readonly settings: ReportSettingsService,
    private readonly files: ReportFiles,
    private readonly brokers: BrokersRepository,
    private readonly webhooks: WebhookEvents,
    private readonly clock: Clock,
    private readonly metrics: ReportMetrics,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.app = config;
  }

  parse(payload: unknown): { requestId: number } {
    const requestId = (payload as { requestId?: unknown } | null)?.requestId;
    if (typeof requestId !== 'number' || !Number.isSafeInteger(requestId) || requestId < 1)
      throw new Error('The payload has no report request id');
    return { requestId };
  }

  async handle({ requestId }: { requestId: number }, ctx: JobContext): Promise<void> {
    const request = await this.reports.request(requestId, ctx.brokerId ?? -1);
    if (!request) throw new PermanentJobError(`Report request ${requestId} no longer exists`);
    if (request.state === 'sent' || request.state === 'failed') return;
    // Checked again here: a row queued before these checks, or a setting changed since, must not go out as it was.
    const filter = storedFilter(request.filter);
    if ('error' in filter) return this.refuse(request, `The report's filter cannot be used: ${filter.error}`, []);
    const api = isApiReport(request);
    const policy = await this.settings.recipientPolicy(await this.ownerOf(request), request.brokerId);
    const recipients = splitRecipients(
      request.email
        .split(',')
        .map((address) => address.trim().toLowerCase())
        .filter(Boolean),
      policy,
    );
    if (!api && recipients.allowed.length === 0)
      return this.refuse(
        request,
        `Not sent: no recipient is allowed (${recipients.refused.join(', ')}). ${recipientRule(policy, request.scheduleId ? "the schedule owner's" : 'your')}`,
        recipients.refused,
      );
    await this.update(request.id, { state: 'running', startedAt: this.clock.now(), rowsWritten: 0, error: null });
    // Built into a temporary file (the spreadsheet writer needs one), then stored in the database for every instance.
    const temp = reportTempPath(request.id);
    let reported = 0;
    try {
      const figures = await this.builder.build(
        request.brokerId,
        filter.filter,
        request.format,
        temp,
        async (done, total) => {
          // The page's progress (at most twice a second), then the job's heartbeat.
          if (done === 0 || done === total || this.clock.nowMs() - reported >= PROGRESS_EVERY_MS) {
            reported = this.clock.nowMs();
            await this.update(request.id, { rowsWritten: done, rowsTotal: total });
          }
          await ctx.progress(done, total);
        },
        ctx.signal,
      );
      this.metrics.record(request.id, request.format, figures);
      const { rows } = figures;
      const bytes = await this.files.store(request.id, temp);
      if (api) await this.stored(request, rows, bytes);
      else await this.send(request, rows, bytes, await this.attachment(request, temp, bytes), recipients);
    } catch (error) {
      // No part of a file that was not sent stays downloadable or takes room; the next attempt starts over.
      await this.files.remove(request.id).catch((removal: unknown) => this.logger.error(removal));
      if (ctx.signal.aborted) throw error;
      await this.failed(request, failureText(error), ctx.attempt >= ctx.maxAttempts);
      throw error;
    } finally {
      await rm(temp, { force: true });
    }
  }

  // Whose own address the report may go to: its requester's, or its schedule's owner's.
  private async ownerOf(request: ReportRequest): Promise<number | null> {
    if (!request.scheduleId) return request.requestedBy;
    const schedule = await this.reports.schedule(request.scheduleId);
    return schedule?.createdBy ?? null;
  }

  // Trying again cannot help: failed at once, with the reason on the page (and the schedule's last result).
  private async refuse(request: ReportRequest, reason: string, skipped: string[]): Promise<never> {
    await this.failed(request, reason, true, skipped);
    throw new PermanentJobError(reason);
  }

  // How the file goes out; a gzip attachment is compressed again from the stored file when the mail is sent.
  private async attachment(request: ReportRequest, file: string, bytes: number): Promise<Attachment> {
    const filename = reportFileName(request.createdAt, request.format);
    let attachment: Attachment = {
      delivery: 'attached',
      filename,
      contentType: CONTENT_TYPES[request.format],
      bytes,
    };
    // XLSX is a zip already: compressing it again gains nothing.
    if (request.format === 'csv' && bytes > this.app.reports.gzipOverBytes)
      attachment = {
        delivery: 'gzip',
        filename: `${filename}.gz`,
        contentType: 'application/gzip',
        bytes: await gzipSize(file),
      };
    if (attachment.bytes > this.app.reports.attachMaxBytes) attachment = { ...attachment, delivery: 'link', bytes };
    return attachment;
  }

  private async send(
    request: ReportRequest,
    rows: number,
    bytes: number,
    attachment: Attachment,
    { allowed: recipients, refused: skipped }: { allowed: string[]; refused: string[] },
  ): Promise<void> {
    const now = this.clock.now();
    await this.sql.transaction(async (tx) => {
      const brokerName = await this.brokers.nameOf(request.brokerId, tx);
      const schedule = request.scheduleId ? await this.reports.schedule(request.scheduleId, undefined, tx) : null;
      const context = {
        heading: schedule ? `Scheduled MCA report: ${schedule.name}` : 'Your MCA report is ready',
        rowsText: `${numberFormat.format(rows)} ${rows === 1 ? 'tenant' : 'tenants'}`,
        filterText: filterText(parseFilter(request.filter)),
        formatLabel: request.format.toUpperCase(),
        generatedText: `${dateFormat.format(now)} UTC`,
        gzip: attachment.delivery === 'gzip',
        sizeText: sizeText(attachment.bytes),
        downloadUrl: attachment.delivery === 'link' ? this.downloadUrl(request.id) : null,
        downloadWho: request.scheduleId ? 'sign in as an administrator' : 'sign in as yourself',
        expiresText: `${dateFormat.format(request.expiresAt)} UTC`,
        brokerName,
        scheduleName: schedule?.name,
      };
      for (const to of recipients) {
        await this.outbox.enqueue(tx, {
          brokerId: request.brokerId,
          to,
          subject: `${context.heading}: ${context.rowsText} (${context.formatLabel})`,
          template: 'report-ready',
          context,
          attachments:
            attachment.delivery === 'link'
              ? []
              : [
                  {
                    filename: attachment.filename,
                    contentType: attachment.contentType,
                    source: REPORT_FILE_ATTACHMENTS,
                    ref: `${request.id}${attachment.delivery === 'gzip' ? '.gz' : ''}`,
                  },
                ],
        });
      }
      await this.reports.updateRequest(tx, request.id, {
        state: 'sent',
        rowsWritten: rows,
        rowsTotal: rows,
        fileSize: bytes,
        delivery: attachment.delivery,
        finishedAt: now,
        error: null,
      });
      if (schedule)
        await this.reports.setScheduleResult(
          tx,
          schedule.id,
          `Sent to ${recipients.length} ${recipients.length === 1 ? 'recipient' : 'recipients'}: ${context.rowsText}${skipped.length > 0 ? `. ${skippedText(skipped)}` : ''}`.slice(
            0,
            1000,
          ),
        );
      if (skipped.length > 0) await this.recordSkipped(tx, request, skipped);
      await this.audit.record(tx, {
        action: 'report.sent',
        subject: { type: 'report', id: request.id },
        data: { recipients, rows, bytes, delivery: attachment.delivery, scheduleId: request.scheduleId },
      });
      await this.webhooks.emit(tx, {
        brokerId: request.brokerId,
        type: 'report.ready',
        data: {
          id: request.id,
          format: request.format,
          rows,
          bytes,
          scheduleId: request.scheduleId,
          expiresAt: request.expiresAt.toISOString(),
          url: apiPaths.report(request.id),
        },
      });
    });
  }

  // A report the API asked for is mailed to no one: it is ready once stored, for the token to collect.
  private async stored(request: ReportRequest, rows: number, bytes: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await this.reports.updateRequest(tx, request.id, {
        state: 'sent',
        rowsWritten: rows,
        rowsTotal: rows,
        fileSize: bytes,
        finishedAt: this.clock.now(),
        error: null,
      });
      await this.audit.record(tx, {
        action: 'report.ready',
        subject: { type: 'report', id: request.id },
        data: { rows, bytes },
      });
    });
  }

  private downloadUrl(requestId: number): string {
    return `${this.appUrl.base()}/reports/${requestId}/download`;
  }

  private recordSkipped(tx: Tx, request: ReportRequest, skipped: string[]) {
    return this.audit.record(tx, {
      action: 'report.recipients_skipped',
      brokerId: request.brokerId,
      subject: { type: 'report', id: request.id },
      data: { skipped, reason: 'recipient_not_allowed', scheduleId: request.scheduleId },
    });
  }

  // A failed attempt goes back to the queue (the job retries it); the last one leaves the reason on the page.
  private async failed(request: ReportRequest, fullReason: string, final: boolean, skipped: string[] = []) {
    const reason = fullReason.slice(0, 1000);
    this.logger.warn(`Report ${request.id}: ${reason}`);
    await this.sql.transaction(async (tx) => {
      await this.reports.updateRequest(tx, request.id, {
        state: final ? 'failed' : 'queued',
        error: final ? reason : `${reason} (trying again)`,
        finishedAt: final ? this.clock.now() : null,
      });
      if (!final) return;
      if (request.scheduleId)
        await this.reports.setScheduleResult(tx, request.scheduleId, `Failed: ${reason}`.slice(0, 1000));
      if (skipped.length > 0) await this.recordSkipped(tx, request, skipped);
      await this.audit.record(tx, {
        action: 'report.failed',
        subject: { type: 'report', id: request.id },
        data: { reason, scheduleId: request.scheduleId },
      });
    });
  }

  private update(id: number, changes: Partial<ReportRequest>): Promise<unknown> {
    return this.sql.transaction((tx) => this.reports.updateRequest(tx, id, changes));
  }
}
