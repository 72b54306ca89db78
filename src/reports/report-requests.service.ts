import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { access } from 'node:fs/promises';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { NotFoundInBrokerError, ValidationFailedError, type FieldMessages } from '../common/domain-errors';
import type { CurrentUser } from '../common/request-context';
import type { AppConfig } from '../config/app.config';
import { SqlService, type Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import { SEARCH_MAX_LENGTH } from '../tenants/mca-query';
import { checkAddress } from './report-address';
import { REPORT_FORMATS, type ReportFormat } from './report-columns';
import { isStatusFilter } from './report-filter';
import { REPORT_RETENTION_MS, reportFilePath } from './report-files';
import { ReportRequest } from './report-request.entity';
import type { ReportFilter } from './report-rows.sql';

export const REPORT_GENERATE_JOB = 'report.generate';
export const REPORT_JOB_ATTEMPTS = 3;

// What the "Generate MCA report" form sends.
export interface ReportRequestInput {
  email?: unknown;
  format?: unknown;
  scope?: unknown; // 'filtered' (the page's filter and search) or 'all'
  status?: unknown;
  q?: unknown;
}

export interface NewReport {
  brokerId: number;
  requestedBy: number | null;
  scheduleId: number | null;
  dueAt: Date | null;
  recipients: string[];
  format: ReportFormat;
  filter: ReportFilter;
  now: Date;
}

const RECENT_LIMIT = 10;

@Injectable()
export class ReportRequestsService {
  private readonly dataDir: string;

  constructor(
    private readonly sql: SqlService,
    private readonly jobs: JobQueue,
    private readonly audit: AuditTrail,
    private readonly scope: BrokerScope,
    config: ConfigService,
  ) {
    this.dataDir = config.getOrThrow<AppConfig>('app').dataDir;
  }

  // "Email me the report when ready": checked, stored and queued in one transaction, or refused with nothing queued.
  async request(user: CurrentUser, input: ReportRequestInput): Promise<ReportRequest> {
    const errors: FieldMessages = {};
    const email = checkAddress(input.email);
    if ('error' in email) errors.email = email.error;
    const format = input.format;
    if (!(REPORT_FORMATS as readonly unknown[]).includes(format)) errors.format = 'Choose a format: CSV or XLSX';
    const scope = input.scope ?? 'all';
    if (scope !== 'all' && scope !== 'filtered') errors.scope = 'Choose every tenant or the current filter';
    const status = input.status === undefined || input.status === '' ? 'all' : input.status;
    if (!isStatusFilter(status)) errors.scope = 'That status filter does not exist: choose every tenant instead';
    const q = typeof input.q === 'string' ? input.q.trim() : '';
    if (q.length > SEARCH_MAX_LENGTH) errors.scope = `A search is at most ${SEARCH_MAX_LENGTH} characters`;
    if (Object.keys(errors).length > 0 || 'error' in email || !isStatusFilter(status))
      throw new ValidationFailedError(errors);
    const filter: ReportFilter = scope === 'filtered' ? { status, q } : { status: 'all', q: '' };
    return this.sql.transaction(async (tx) => {
      const request = await this.create(tx, {
        brokerId: this.scope.brokerId(),
        requestedBy: user.id,
        scheduleId: null,
        dueAt: null,
        recipients: [email.address],
        format: format as ReportFormat,
        filter,
        now: new Date(),
      });
      await this.audit.record(tx, {
        action: 'report.requested',
        subject: { type: 'report', id: request.id },
        data: { email: email.address, format, filter },
      });
      return request;
    });
  }

  // A report row and its job, inside the caller's transaction (a user's request, or a schedule's due run).
  async create(tx: Tx, report: NewReport): Promise<ReportRequest> {
    const repo = tx.manager.getRepository(ReportRequest);
    const request = await repo.save(
      repo.create({
        brokerId: report.brokerId,
        requestedBy: report.requestedBy,
        scheduleId: report.scheduleId,
        dueAt: report.dueAt,
        email: report.recipients.join(', '),
        format: report.format,
        filter: JSON.stringify(report.filter),
        state: 'queued',
        expiresAt: new Date(report.now.getTime() + REPORT_RETENTION_MS),
      }),
    );
    await this.jobs.enqueue(
      tx,
      REPORT_GENERATE_JOB,
      { requestId: request.id },
      { brokerId: report.brokerId, uniqueKey: `report:${request.id}`, maxAttempts: REPORT_JOB_ATTEMPTS },
    );
    return request;
  }

  // The user's own requests of the last 7 days, newest first.
  async recent(user: CurrentUser, now = new Date()): Promise<ReportRequest[]> {
    return this.sql.manager
      .getRepository(ReportRequest)
      .createQueryBuilder('r')
      .where('r.brokerId = :brokerId AND r.requestedBy = :userId AND r.expiresAt > :now', {
        brokerId: this.scope.brokerId(),
        userId: user.id,
        now: this.sql.dialect.encodeTimestamp(now),
      })
      .orderBy('r.id', 'DESC')
      .limit(RECENT_LIMIT)
      .getMany();
  }

  // A file the user may download: their own request (or, for an admin, a schedule's run), sent, not yet expired.
  async downloadable(
    user: CurrentUser,
    id: number,
    now = new Date(),
  ): Promise<{ request: ReportRequest; path: string }> {
    const request = Number.isSafeInteger(id)
      ? await this.sql.manager.getRepository(ReportRequest).findOneBy({ id, brokerId: this.scope.brokerId() })
      : null;
    const mine = request && (request.requestedBy === user.id || (request.scheduleId !== null && user.role === 'admin'));
    if (!request || !mine || request.state !== 'sent' || request.expiresAt <= now)
      throw new NotFoundInBrokerError('That report');
    const path = reportFilePath(this.dataDir, request.brokerId, request.id, request.format);
    try {
      await access(path);
    } catch {
      throw new NotFoundInBrokerError('That report');
    }
    return { request, path };
  }
}
