import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import {
  ConflictError,
  NotAllowedError,
  NotFoundInBrokerError,
  TooManyAttemptsError,
  ValidationFailedError,
  type FieldMessages,
} from '../common/domain-errors';
import { currentActor, type CurrentUser } from '../common/request-context';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService, type Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import { describeWait, RateLimits, type RateLimit } from '../rate-limits/rate-limits.service';
import { UsersRepository } from '../users/users.repository';
import { checkAddress } from './report-address';
import { REPORT_FORMATS, type ReportFormat } from './report-columns';
import { checkFilter, NO_FILTER, type ReportFilter } from './report-filter';
import { REPORT_RETENTION_MS, ReportFiles } from './report-files';
import { isAllowedRecipient, recipientRule, type RecipientPolicy } from './report-recipients';
import { ReportRefusals } from './report-refusals';
import type { ReportRequest } from './report-request.entity';
import { ReportSettingsService } from './report-settings.service';
import { ReportsRepository } from './reports.repository';

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

// What the JSON API sends: no recipient, as the file is collected through the API.
export interface ApiReportInput {
  format?: unknown;
  status?: unknown;
  q?: unknown;
}

const RECENT_LIMIT = 10;
const REPORT_LIMIT_BUCKET = 'report-request:user';
const API_REPORT_LIMIT_BUCKET = 'report-request:token';

// A report asked for through the API: mailed to no one (a person's request and a schedule's run always have a
// recipient, and keep it when the person or the schedule is deleted and the reference is cleared). Any token of the
// broker may follow and download it (tokens are the broker's, not a person's).
export const isApiReport = (request: Pick<ReportRequest, 'requestedBy' | 'scheduleId' | 'email'>): boolean =>
  request.requestedBy === null && request.scheduleId === null && request.email === '';

// "10 reports in 1 hour": a limit as the form and the settings page say it.
export const limitText = (limit: number, windowSeconds: number): string => {
  const window =
    windowSeconds % 3600 === 0
      ? `${windowSeconds / 3600} hour${windowSeconds === 3600 ? '' : 's'}`
      : `${Math.ceil(windowSeconds / 60)} minutes`;
  return `${limit} ${limit === 1 ? 'report' : 'reports'} in ${window}`;
};

// Reports are kept for a week, and each is its requester's alone.
const REPORT_GONE = 'That report does not exist, is not yours, or is older than 7 days.';
const API_REPORT_GONE = 'That report does not exist, was not asked for through the API, or is older than 7 days.';

// The user asked for as many reports as the window allows (REPORT_LIMIT_PER_USER); scheduled runs do not count.
export class TooManyReportsError extends TooManyAttemptsError {
  constructor(
    readonly limit: number,
    readonly windowSeconds: number,
    retryAfterSeconds: number,
  ) {
    super(
      `Too many reports: each person may ask for ${limitText(limit, windowSeconds)}. Try again in ${describeWait(retryAfterSeconds)}.`,
      retryAfterSeconds,
    );
  }
}

@Injectable()
export class ReportRequestsService {
  private readonly reportConfig: AppConfig['reports'];

  constructor(
    private readonly sql: SqlService,
    private readonly reports: ReportsRepository,
    private readonly jobs: JobQueue,
    private readonly audit: AuditTrail,
    private readonly scope: BrokerScope,
    private readonly limits: RateLimits,
    private readonly settings: ReportSettingsService,
    private readonly refusals: ReportRefusals,
    private readonly files: ReportFiles,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.reportConfig = config.reports;
  }

  // "Email me the report when ready": checked, stored and queued in one transaction, or refused with nothing queued.
  // A recipient other than the user's own address (outside the allowed domains) and a request over the user's limit
  // are refused and audited (ReportRefusals).
  async request(user: CurrentUser, input: ReportRequestInput): Promise<ReportRequest> {
    const errors: FieldMessages = {};
    const email = checkAddress(input.email);
    if ('error' in email) errors.email = email.error;
    const format = input.format;
    if (!(REPORT_FORMATS as readonly unknown[]).includes(format)) errors.format = 'Choose a format: CSV or XLSX';
    const scope = input.scope ?? 'all';
    if (scope !== 'all' && scope !== 'filtered') errors.scope = 'Choose every tenant or the current filter';
    const filter = scope === 'filtered' ? checkFilter(input.status, input.q) : { filter: NO_FILTER };
    if ('error' in filter) errors.scope = filter.error;
    const address = 'address' in email ? email.address : null;
    if (address !== null) {
      const policy = await this.recipientPolicy(user);
      if (!isAllowedRecipient(address, policy)) {
        errors.email = recipientRule(policy, 'your');
        await this.refusals.refused(user, 'recipient_not_allowed', address);
      }
    }
    if (Object.keys(errors).length > 0 || address === null || 'error' in filter)
      throw new ValidationFailedError(errors);
    const rule = this.limitFor(user.id);
    try {
      return await this.sql.transaction(async (tx) => {
        // Requests of one user are counted one after the other (every instance: the row lock, or SQLite's one writer).
        await this.users.lock(tx, user.id);
        const now = this.clock.now();
        const wait = await this.limits.retryAfterSeconds(rule, now, tx);
        if (wait !== null) throw new TooManyReportsError(rule.limit, rule.windowSeconds, wait);
        const request = await this.create(tx, {
          brokerId: this.scope.brokerId(),
          requestedBy: user.id,
          scheduleId: null,
          dueAt: null,
          recipients: [address],
          format: format as ReportFormat,
          filter: filter.filter,
          now,
        });
        await this.audit.record(tx, {
          action: 'report.requested',
          subject: { type: 'report', id: request.id },
          data: { email: address, format, filter: filter.filter },
        });
        await this.limits.hit([rule]);
        return request;
      });
    } catch (error) {
      if (error instanceof TooManyReportsError) await this.refusals.refused(user, 'limit', address);
      throw error;
    }
  }

  // A report asked for with an API token: the form's format and filter, checked by the same rules, counted against
  // the token's own limit (the same number as a person's), built by the same job; the token collects the file.
  async requestByApi(input: ApiReportInput): Promise<ReportRequest> {
    const actor = currentActor();
    if (actor.type !== 'token') throw new NotAllowedError('Only an API token asks for a report this way.');
    const errors: FieldMessages = {};
    const format = input.format;
    if (!(REPORT_FORMATS as readonly unknown[]).includes(format)) errors.format = 'Choose a format: CSV or XLSX';
    const filter = checkFilter(input.status, input.q);
    if ('error' in filter) errors.filter = filter.error;
    if (Object.keys(errors).length > 0 || 'error' in filter) throw new ValidationFailedError(errors);
    const rule = this.limitFor(actor.id, API_REPORT_LIMIT_BUCKET);
    return this.sql.transaction(async (tx) => {
      const now = this.clock.now();
      const wait = await this.limits.retryAfterSeconds(rule, now, tx);
      if (wait !== null) throw new TooManyReportsError(rule.limit, rule.windowSeconds, wait);
      const request = await this.create(tx, {
        brokerId: this.scope.brokerId(),
        requestedBy: null,
        scheduleId: null,
        dueAt: null,
        recipients: [],
        format: format as ReportFormat,
        filter: filter.filter,
        now,
      });
      await this.audit.record(tx, {
        action: 'report.requested',
        subject: { type: 'report', id: request.id },
        data: { format, filter: filter.filter },
      });
      await this.limits.hit([rule]);
      return request;
    });
  }

  // A report the API asked for, while it is kept; anything else (a person's, another broker's) is not found.
  async apiReport(id: number, now = this.clock.now()): Promise<ReportRequest> {
    const request = await this.reports.request(id, this.scope.brokerId());
    if (!request || !isApiReport(request) || request.expiresAt <= now)
      throw new NotFoundInBrokerError('That report', API_REPORT_GONE);
    return request;
  }

  private limitFor(subject: number, bucket = REPORT_LIMIT_BUCKET): RateLimit {
    return {
      bucket,
      subject: String(subject),
      limit: this.reportConfig.limitPerUser,
      windowSeconds: this.reportConfig.limitWindowSeconds,
    };
  }

  // Whom the user's own requests may go to.
  async recipientPolicy(user: CurrentUser): Promise<RecipientPolicy> {
    return { own: user.email.toLowerCase(), domains: await this.settings.recipientDomains() };
  }

  // A report row and its job, inside the caller's transaction (a user's request, or a schedule's due run).
  async create(tx: Tx, report: NewReport): Promise<ReportRequest> {
    const request = await this.reports.insertRequest(tx, {
      brokerId: report.brokerId,
      requestedBy: report.requestedBy,
      scheduleId: report.scheduleId,
      dueAt: report.dueAt,
      email: report.recipients.join(', '),
      format: report.format,
      filter: JSON.stringify(report.filter),
      expiresAt: new Date(report.now.getTime() + REPORT_RETENTION_MS),
    });
    await this.jobs.enqueue(tx, REPORT_GENERATE_JOB, { requestId: request.id }, { brokerId: report.brokerId });
    return request;
  }

  // The user's own requests of the last 7 days, newest first.
  recent(user: CurrentUser, now = this.clock.now()): Promise<ReportRequest[]> {
    return this.reports.recentRequests(this.scope.brokerId(), user.id, now, RECENT_LIMIT);
  }

  // A file the user may download: their own request (or, for an admin, a schedule's run), sent, not yet expired;
  // read from the database a chunk at a time, through any instance.
  downloadable(user: CurrentUser, id: number, now = this.clock.now()) {
    return this.openFile(
      id,
      (request) => request.requestedBy === user.id || (request.scheduleId !== null && user.role === 'admin'),
      REPORT_GONE,
      now,
    );
  }

  // The file of a report the API asked for, once built.
  async downloadableByApi(id: number, now = this.clock.now()) {
    const request = await this.apiReport(id, now);
    if (request.state !== 'sent')
      throw new ConflictError(
        request.state === 'failed'
          ? 'This report failed: it has no file. Ask for a new one.'
          : 'This report is not ready yet: follow its status until it is "ready".',
      );
    return this.openFile(id, isApiReport, API_REPORT_GONE, now);
  }

  private async openFile(
    id: number,
    mine: (request: ReportRequest) => boolean,
    gone: string,
    now: Date,
  ): Promise<{ request: ReportRequest; content: Readable }> {
    const request = await this.reports.request(id, this.scope.brokerId());
    if (!request || !mine(request) || request.state !== 'sent' || request.expiresAt <= now)
      throw new NotFoundInBrokerError('That report', gone);
    const content = await this.files.open(request.id);
    if (!content) throw new NotFoundInBrokerError('That report', gone);
    return { request, content };
  }
}
