// When a schedule runs: wall-clock times in an IANA zone turned into instants, daylight-saving changes included.
// A time that does not exist on a day (clocks go forward through it) runs as much later as the clocks jumped
// (02:30 becomes 03:30), and a time that happens twice (clocks go back) runs at its first occurrence only: the same
// rule as Temporal's 'compatible' disambiguation, so every scheduled day gets exactly one run.
export const FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export interface ScheduleTiming {
  frequency: Frequency;
  weekday: number | null; // 1 = Monday … 7 = Sunday (ISO), weekly only
  dayOfMonth: number | null; // 1–31, monthly only; past a month's last day it runs on the last day
  time: string; // HH:MM
  timeZone: string;
}

export interface LocalDate {
  year: number;
  month: number; // 1–12
  day: number;
}

interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
  weekday: number;
}

const DAY_MS = 86_400_000;
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

// The zone's name as Intl knows it, or null for a zone it does not know.
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

// The zone the server's clock is set to (its TZ), for a schedule nobody has chosen a zone for yet.
export function serverTimeZone(): string {
  return canonicalTimeZone(new Intl.DateTimeFormat().resolvedOptions().timeZone) ?? 'UTC';
}

export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday],
  };
}

// How far the zone's wall clock is ahead of UTC at an instant, to the minute.
function offsetMs(instant: number, timeZone: string): number {
  const p = localParts(new Date(instant), timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return wall - Math.floor(instant / 60_000) * 60_000;
}

export function parseTime(time: string): { hour: number; minute: number } | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : null;
}

export interface ZonedInstant {
  at: Date;
  // The wall time did not exist that day (a daylight-saving gap): `at` is later by the clocks' jump.
  shifted: boolean;
}

// The instant of a wall-clock time on a local date in a zone (see the rule at the top of this file).
export function zonedInstant(timeZone: string, date: LocalDate, hour: number, minute: number): ZonedInstant {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const offsets = [...new Set([offsetMs(wall - DAY_MS, timeZone), offsetMs(wall + DAY_MS, timeZone)])];
  const exact = offsets
    .map((offset) => wall - offset)
    .filter((instant) => instant + offsetMs(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  if (exact.length > 0) return { at: new Date(exact[0]), shifted: false };
  // In a gap the offset before the change applies: the wall clock reads later by the jump.
  return { at: new Date(wall - offsets[0]), shifted: true };
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

const addDays = (date: LocalDate, days: number): LocalDate => {
  const next = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
};

const isoWeekday = (date: LocalDate): number => {
  const day = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return day === 0 ? 7 : day;
};

export function runsOn(timing: ScheduleTiming, date: LocalDate): boolean {
  if (timing.frequency === 'daily') return true;
  if (timing.frequency === 'weekly') return isoWeekday(date) === timing.weekday;
  return date.day === Math.min(timing.dayOfMonth ?? 1, daysInMonth(date.year, date.month));
}

// Every run of the schedule after `after`, in order (a monthly schedule meets a run within 31 days; a year of
// days bounds the walk).
export function* runsAfter(timing: ScheduleTiming, after: Date, days = 400): Generator<ZonedInstant & LocalDate> {
  const time = parseTime(timing.time);
  if (!time) throw new Error(`Not a time of day: ${timing.time}`);
  let date = addDays(localParts(after, timing.timeZone), -1);
  for (let i = 0; i < days; i++, date = addDays(date, 1)) {
    if (!runsOn(timing, date)) continue;
    const run = zonedInstant(timing.timeZone, date, time.hour, time.minute);
    if (run.at.getTime() > after.getTime()) yield { ...run, ...date };
  }
}

export function nextRun(timing: ScheduleTiming, after: Date): Date {
  const first = runsAfter(timing, after).next();
  if (first.done) throw new Error('A schedule without a run within a year');
  return first.value.at;
}

// The first run within a year whose time falls in a daylight-saving gap: the form says when that run happens.
export function firstShiftedRun(timing: ScheduleTiming, after: Date): (LocalDate & { at: Date }) | null {
  for (const run of runsAfter(timing, after, 370)) if (run.shifted) return run;
  return null;
}

const pad = (n: number): string => String(n).padStart(2, '0');

export function localTimeText(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

const longDate = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

export const localDateText = (date: LocalDate): string =>
  longDate.format(new Date(Date.UTC(date.year, date.month - 1, date.day))).replace(',', '');

// "Mon 7 Dec 2026, 07:00" as the schedule's zone reads it.
export function zonedText(instant: Date, timeZone: string): string {
  return `${localDateText(localParts(instant, timeZone))}, ${localTimeText(instant, timeZone)}`;
}
