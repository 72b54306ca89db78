import { CronExpressionParser } from 'cron-parser';

export interface ScheduleTiming {
  everyMs?: number;
  cron?: string; // 5 fields, read in timeZone
  timeZone?: string; // IANA, default 'UTC'
}

// Refuses a timing that would never fire or that cron-parser would read differently from what was meant.
export function validateTiming(timing: ScheduleTiming): void {
  const hasEvery = timing.everyMs !== undefined;
  const hasCron = timing.cron !== undefined;
  if (hasEvery === hasCron) throw new Error('A recurring job needs exactly one of everyMs or cron');
  if (hasEvery && (!Number.isInteger(timing.everyMs) || timing.everyMs! < 1000)) {
    throw new Error('everyMs must be a whole number of milliseconds, at least 1000');
  }
  const timeZone = timing.timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`Unknown time zone "${timeZone}"`);
  }
  if (hasCron) {
    if (timing.cron!.trim().split(/\s+/).length !== 5) {
      throw new Error(`"${timing.cron}" is not a 5-field cron expression (minute hour day month weekday)`);
    }
    CronExpressionParser.parse(timing.cron!, { tz: timeZone });
  }
}

// The first due time strictly after `now`. An interval keeps its phase from `previousDue` when there is one, so
// "every hour" stays on the minute it started on; after downtime it skips every slot that passed.
export function nextDueAfter(timing: ScheduleTiming, now: Date, previousDue?: Date): Date {
  if (timing.cron !== undefined) {
    return CronExpressionParser.parse(timing.cron, { currentDate: now, tz: timing.timeZone ?? 'UTC' })
      .next()
      .toDate();
  }
  const every = timing.everyMs!;
  if (!previousDue) return new Date(now.getTime() + every);
  const steps = Math.floor((now.getTime() - previousDue.getTime()) / every) + 1;
  return new Date(previousDue.getTime() + Math.max(1, steps) * every);
}

// What one tick does with a schedule: the due time to enqueue (once, whatever number of slots were missed), and
// the next due time.
export function advance(timing: ScheduleTiming, nextRunAt: Date, now: Date): { due: Date | null; next: Date } {
  if (nextRunAt.getTime() > now.getTime()) return { due: null, next: nextRunAt };
  return { due: nextRunAt, next: nextDueAfter(timing, now, nextRunAt) };
}
