import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import { NotFoundInBrokerError, ValidationFailedError, type FieldMessages } from '../common/domain-errors';
import type { CurrentUser } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';
import type { StatusFilter } from '../tenants/mca-query';
import { checkAddressList } from './report-address';
import { REPORT_FORMATS, type ReportFormat } from './report-columns';
import { checkFilter } from './report-filter';
import { recipientRule, splitRecipients, type RecipientPolicy } from './report-recipients';
import { ReportRefusals } from './report-refusals';
import { ReportRequestsService } from './report-requests.service';
import type { ReportSchedule } from './report-schedule.entity';
import { ReportSettingsService } from './report-settings.service';
import { ReportsRepository } from './reports.repository';
import {
  canonicalTimeZone,
  FREQUENCIES,
  firstShiftedRun,
  type Frequency,
  localDateText,
  localTimeText,
  nextRun,
  parseTime,
  type ScheduleTiming,
} from './schedule-time';

// What the schedule form sends.
export interface ScheduleInput {
  name?: unknown;
  frequency?: unknown;
  weekday?: unknown;
  dayOfMonth?: unknown;
  time?: unknown;
  timeZone?: unknown;
  recipients?: unknown;
  format?: unknown;
  status?: unknown;
  // The run time the user accepted for days on which the chosen time does not exist (a daylight-saving gap).
  confirmShift?: unknown;
}

interface ScheduleValues {
  name: string;
  frequency: Frequency;
  weekday: number | null;
  dayOfMonth: number | null;
  timeOfDay: string;
  timeZone: string;
  recipients: string;
  format: ReportFormat;
  statusFilter: StatusFilter;
}

const CLEAN_TEXT = /^[^\u0000-\u001f\u007f\ufffd]*$/;
const DUE_BATCH = 100;

const intIn = (raw: unknown, min: number, max: number): number | null => {
  const text = typeof raw === 'string' ? raw.trim() : '';
  return /^\d{1,2}$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : null;
};

export const timingOf = (
  s: Pick<ReportSchedule, 'frequency' | 'weekday' | 'dayOfMonth' | 'timeOfDay' | 'timeZone'>,
): ScheduleTiming => ({
  frequency: s.frequency,
  weekday: s.weekday,
  dayOfMonth: s.dayOfMonth,
  time: s.timeOfDay,
  timeZone: s.timeZone,
});

// Admins' scheduled reports: each due run becomes one report request (and its job), once, whatever the number of
// instances and however long the app was down (a missed run is sent once, then the schedule moves on from now).
@Injectable()
export class ReportSchedulesService {
  constructor(
    private readonly sql: SqlService,
    private readonly reports: ReportsRepository,
    private readonly requests: ReportRequestsService,
    private readonly audit: AuditTrail,
    private readonly scope: BrokerScope,
    private readonly settings: ReportSettingsService,
    private readonly refusals: ReportRefusals,
    private readonly clock: Clock,
  ) {}

  list(): Promise<ReportSchedule[]> {
    return this.reports.schedules(this.scope.brokerId());
  }

  async get(id: number, tx?: Tx): Promise<ReportSchedule> {
    const schedule = await this.reports.schedule(id, this.scope.brokerId(), tx);
    if (!schedule) throw new NotFoundInBrokerError('That schedule', 'That schedule does not exist.');
    return schedule;
  }

  async create(user: CurrentUser, input: ScheduleInput, now = this.clock.now()): Promise<ReportSchedule> {
    const policy = await this.settings.recipientPolicy(user.id);
    const values = await this.check(user, input, policy, now);
    return this.sql.transaction(async (tx) => {
      const schedule = await this.reports.insertSchedule(tx, {
        ...values,
        brokerId: this.scope.brokerId(),
        createdBy: user.id,
        paused: false,
        nextRunAt: nextRun(timingOf(values), now),
      });
      await this.record(tx, 'report_schedule.created', schedule);
      return schedule;
    });
  }

  // The schedule keeps its owner (who created it): its recipients are checked against the owner's address.
  async update(user: CurrentUser, id: number, input: ScheduleInput, now = this.clock.now()): Promise<ReportSchedule> {
    const existing = await this.get(id);
    const values = await this.check(user, input, await this.settings.recipientPolicy(existing.createdBy), now);
    return this.sql.transaction(async (tx) => {
      const schedule = await this.get(id, tx);
      Object.assign(schedule, values, { nextRunAt: nextRun(timingOf(values), now) });
      await this.reports.saveSchedule(tx, schedule);
      await this.record(tx, 'report_schedule.updated', schedule);
      return schedule;
    });
  }

  // Resuming starts from now: runs due while paused are not sent.
  async setPaused(id: number, paused: boolean, now = this.clock.now()): Promise<ReportSchedule> {
    return this.sql.transaction(async (tx) => {
      const schedule = await this.get(id, tx);
      schedule.paused = paused;
      if (!paused) schedule.nextRunAt = nextRun(timingOf(schedule), now);
      await this.reports.saveSchedule(tx, schedule);
      await this.record(tx, paused ? 'report_schedule.paused' : 'report_schedule.resumed', schedule);
      return schedule;
    });
  }

  async remove(id: number): Promise<ReportSchedule> {
    return this.sql.transaction(async (tx) => {
      const schedule = await this.get(id, tx);
      await this.reports.deleteSchedule(tx, schedule);
      await this.record(tx, 'report_schedule.deleted', schedule);
      return schedule;
    });
  }

  // Every schedule whose run is due at `now` gets one report request. The run is taken by moving next_run_at on
  // from the due time it was read with: of two instances ticking at once only one moves it (and the unique
  // (schedule_id, due_at) index would refuse a second request anyway).
  async runDue(now: Date): Promise<number> {
    let started = 0;
    for (const id of await this.reports.dueScheduleIds(now, DUE_BATCH)) {
      const taken = await this.sql.transaction(async (tx) => {
        const schedule = await this.reports.schedule(id, undefined, tx);
        if (!schedule || schedule.paused || schedule.nextRunAt > now) return false;
        const dueAt = schedule.nextRunAt;
        if (!(await this.reports.takeScheduleRun(tx, schedule, dueAt, nextRun(timingOf(schedule), now)))) return false;
        const request = await this.requests.create(tx, {
          brokerId: schedule.brokerId,
          requestedBy: null,
          scheduleId: schedule.id,
          dueAt,
          recipients: schedule.recipients.split('\n'),
          format: schedule.format,
          filter: { status: schedule.statusFilter, q: '' },
          now,
        });
        await this.audit.record(tx, {
          action: 'report_schedule.run',
          brokerId: schedule.brokerId,
          subject: { type: 'report_schedule', id: schedule.id },
          data: { dueAt: dueAt.toISOString(), reportId: request.id },
        });
        return true;
      });
      if (taken) started += 1;
    }
    return started;
  }

  private record(tx: Tx, action: string, schedule: ReportSchedule) {
    return this.audit.record(tx, {
      action,
      subject: { type: 'report_schedule', id: schedule.id },
      data: {
        name: schedule.name,
        frequency: schedule.frequency,
        weekday: schedule.weekday,
        dayOfMonth: schedule.dayOfMonth,
        time: schedule.timeOfDay,
        timeZone: schedule.timeZone,
        recipients: schedule.recipients.split('\n'),
        format: schedule.format,
        status: schedule.statusFilter,
        paused: schedule.paused,
      },
    });
  }

  // Every field checked, with one message each; nothing is stored unless all pass. A recipient the policy does not
  // allow is a refused request (audited), like a user's request to such an address.
  private async check(
    user: CurrentUser,
    input: ScheduleInput,
    policy: RecipientPolicy,
    now: Date,
  ): Promise<ScheduleValues> {
    const errors: FieldMessages = {};
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name === '') errors.name = 'Enter a name, like “Weekly to the sales team”';
    else if (name.length > 200) errors.name = 'Name must be at most 200 characters';
    else if (!CLEAN_TEXT.test(name)) errors.name = 'Name contains characters that are not valid text';
    const frequency = (FREQUENCIES as readonly unknown[]).includes(input.frequency)
      ? (input.frequency as Frequency)
      : null;
    if (!frequency) errors.frequency = 'Choose daily, weekly or monthly';
    const weekday = frequency === 'weekly' ? intIn(input.weekday, 1, 7) : null;
    if (frequency === 'weekly' && weekday === null) errors.weekday = 'Choose a day of the week';
    const dayOfMonth = frequency === 'monthly' ? intIn(input.dayOfMonth, 1, 31) : null;
    if (frequency === 'monthly' && dayOfMonth === null) errors.dayOfMonth = 'Choose a day of the month, 1 to 31';
    const time = typeof input.time === 'string' ? input.time.trim() : '';
    if (!parseTime(time)) errors.time = 'Enter a time as HH:MM (24-hour clock), like 07:00';
    const zoneInput = typeof input.timeZone === 'string' ? input.timeZone.trim() : '';
    const timeZone = canonicalTimeZone(zoneInput);
    if (!timeZone)
      errors.timeZone = `Unknown time zone “${zoneInput.slice(0, 64)}”: choose one from the list, like Europe/Stockholm`;
    const recipients = checkAddressList(input.recipients);
    if ('error' in recipients) errors.recipients = recipients.error;
    else {
      const { refused } = splitRecipients(recipients.addresses, policy);
      if (refused.length > 0) {
        errors.recipients = `Not allowed: ${refused.join(', ')}. ${recipientRule(policy, "the schedule owner's")}`;
        await this.refusals.refused(user, 'recipient_not_allowed', refused[0]);
      }
    }
    const format = (REPORT_FORMATS as readonly unknown[]).includes(input.format)
      ? (input.format as ReportFormat)
      : null;
    if (!format) errors.format = 'Choose a format: CSV or XLSX';
    const filter = checkFilter(input.status, '');
    if ('error' in filter) errors.status = 'Choose every tenant or one status';
    if (
      Object.keys(errors).length > 0 ||
      !frequency ||
      !timeZone ||
      !format ||
      'error' in recipients ||
      'error' in filter
    )
      throw new ValidationFailedError(errors);
    const values: ScheduleValues = {
      name,
      frequency,
      weekday,
      dayOfMonth,
      timeOfDay: time,
      timeZone,
      recipients: recipients.addresses.join('\n'),
      format,
      statusFilter: filter.filter.status,
    };
    const shifted = firstShiftedRun(timingOf(values), now);
    if (shifted) {
      const runsAt = localTimeText(shifted.at, timeZone);
      if (input.confirmShift !== runsAt)
        throw new ValidationFailedError({
          time: `${time} does not exist in ${timeZone} on ${localDateText(shifted)}: the clocks go forward through it. That day the report is sent at ${runsAt}. Confirm below to keep ${time}, or choose another time.`,
          confirmShift: runsAt,
        });
    }
    return values;
  }
}
