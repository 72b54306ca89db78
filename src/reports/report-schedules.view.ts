import { STATUS_FILTERS } from '../tenants/mca-query';
import { filterLabel } from '../tenants/mca-view';
import type { RecipientPolicy } from './report-recipients';
import type { ReportSchedule } from './report-schedule.entity';
import { BELOW_REPORTS_TRAIL } from './report-view';
import { serverTimeZone, TIME_ZONES, zonedText } from './schedule-time';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const ordinal = (n: number): string => {
  const suffix =
    n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th';
  return `${n}${suffix}`;
};

export function whenText(s: ReportSchedule): string {
  if (s.frequency === 'daily') return `Every day at ${s.timeOfDay}`;
  if (s.frequency === 'weekly') return `Every ${WEEKDAYS[(s.weekday ?? 1) - 1]} at ${s.timeOfDay}`;
  const day = s.dayOfMonth ?? 1;
  return `Monthly on the ${ordinal(day)}${day > 28 ? ' (or the last day of a shorter month)' : ''} at ${s.timeOfDay}`;
}

const SCHEDULES_TITLE = 'Scheduled reports';

export function schedulesView(schedules: ReportSchedule[]) {
  return {
    title: SCHEDULES_TITLE,
    breadcrumbs: BELOW_REPORTS_TRAIL,
    schedules: schedules.map((s) => ({
      id: s.id,
      name: s.name,
      when: `${whenText(s)} ${s.timeZone}`,
      recipients: s.recipients.split('\n'),
      formatLabel: s.format.toUpperCase(),
      statusText: s.statusFilter === 'all' ? 'Every tenant' : filterLabel(s.statusFilter),
      paused: s.paused,
      nextRunText: s.paused ? null : `${zonedText(s.nextRunAt, s.timeZone)} (${s.timeZone})`,
      nextRunIso: s.nextRunAt.toISOString(),
      lastRunText: s.lastRunAt ? `${zonedText(s.lastRunAt, s.timeZone)}` : null,
      lastResult: s.lastResult,
    })),
  };
}

const field = (source: Record<string, unknown>, key: string, fallback: string): string =>
  typeof source[key] === 'string' ? (source[key] as string) : fallback;

// The form's options and values: a schedule being edited, or what was sent back with an error. A new one starts
// daily in the server's zone; app.js puts the browser's zone in its place, where the person is (`zoneIsDefault`).
// Whom a schedule may send to, said under its recipients.
const recipientsHint = ({ own, domains }: RecipientPolicy): string => {
  const ownText = own ? `the schedule owner's own address (${own})` : '';
  if (domains.length === 0)
    return own
      ? `${ownText} only, until an admin allows domains in the report recipients settings.`
      : 'no address yet: an admin allows domains in the report recipients settings.';
  return `${ownText}${own ? ' or ' : ''}addresses at ${domains.join(', ')}.`;
};

export function scheduleFormView(
  schedule: ReportSchedule | number | null,
  source: Record<string, unknown>,
  policy: RecipientPolicy,
) {
  const existing = typeof schedule === 'object' && schedule !== null ? schedule : null;
  const id = existing?.id ?? (typeof schedule === 'number' ? schedule : null);
  const zoneIsDefault = id === null && typeof source.timeZone !== 'string';
  const values = {
    name: field(source, 'name', existing?.name ?? ''),
    frequency: field(source, 'frequency', existing?.frequency ?? 'daily'),
    weekday: field(source, 'weekday', String(existing?.weekday ?? 1)),
    dayOfMonth: field(source, 'dayOfMonth', String(existing?.dayOfMonth ?? 1)),
    time: field(source, 'time', existing?.timeOfDay ?? '07:00'),
    timeZone: field(source, 'timeZone', existing?.timeZone ?? serverTimeZone()),
    recipients: field(source, 'recipients', existing?.recipients ?? ''),
    format: field(source, 'format', existing?.format ?? 'csv'),
    status: field(source, 'status', existing?.statusFilter ?? 'all'),
  };
  return {
    title: id ? 'Edit scheduled report' : 'New scheduled report',
    action: id ? `/reports/schedules/${id}` : '/reports/schedules',
    breadcrumbs: [...BELOW_REPORTS_TRAIL, { label: SCHEDULES_TITLE, href: '/reports/schedules' }],
    editing: id !== null,
    recipientsHint: recipientsHint(policy),
    zoneIsDefault,
    values,
    weekdays: WEEKDAYS.map((label, i) => ({ value: String(i + 1), label, selected: values.weekday === String(i + 1) })),
    days: Array.from({ length: 31 }, (_, i) => ({
      value: String(i + 1),
      selected: values.dayOfMonth === String(i + 1),
    })),
    frequencies: [
      { value: 'daily', label: 'Daily' },
      { value: 'weekly', label: 'Weekly' },
      { value: 'monthly', label: 'Monthly' },
    ].map((f) => ({ ...f, checked: values.frequency === f.value })),
    statuses: STATUS_FILTERS.map((value) => ({
      value,
      label: value === 'all' ? 'Every tenant' : filterLabel(value),
      selected: values.status === value,
    })),
    timeZones: TIME_ZONES,
  };
}
