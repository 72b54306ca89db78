import { advance, nextDueAfter, validateTiming, type ScheduleTiming } from './schedule-times';

const berlinTime = (date: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    dateStyle: 'short',
    timeStyle: 'short',
    hour12: false,
  }).format(date);

// A controllable clock that ticks every `stepMs` from `from` to `to`, as the app's ticker would, collecting the
// due times each tick enqueues.
function simulate(timing: ScheduleTiming, from: Date, to: Date, stepMs: number): Date[] {
  let nextRunAt = nextDueAfter(timing, from);
  const fired: Date[] = [];
  for (let now = from.getTime(); now <= to.getTime(); now += stepMs) {
    const step = advance(timing, nextRunAt, new Date(now));
    if (step.due) fired.push(step.due);
    nextRunAt = step.next;
  }
  return fired;
}

describe('recurring job times', () => {
  const daily = { cron: '30 2 * * *', timeZone: 'Europe/Berlin' };

  it('should fire a 02:30 Berlin job once on the night the clocks go forward (02:30 does not exist: 03:30)', () => {
    const fired = simulate(daily, new Date('2026-03-27T12:00:00Z'), new Date('2026-03-31T12:00:00Z'), 60_000);
    expect(fired.map(berlinTime)).toEqual([
      '28/03/2026, 02:30',
      '29/03/2026, 03:30',
      '30/03/2026, 02:30',
      '31/03/2026, 02:30',
    ]);
    expect(fired.map((d) => d.toISOString())).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('should fire a 02:30 Berlin job once on the night the clocks go back (02:30 happens twice)', () => {
    const fired = simulate(daily, new Date('2026-10-23T12:00:00Z'), new Date('2026-10-27T12:00:00Z'), 60_000);
    expect(fired.map((d) => d.toISOString())).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
      '2026-10-27T01:30:00.000Z',
    ]);
  });

  it('should fire an hourly job every real hour across the change, never twice in one', () => {
    const fired = simulate(
      { cron: '0 * * * *', timeZone: 'Europe/Berlin' },
      new Date('2026-10-24T22:30:00Z'),
      new Date('2026-10-25T03:30:00Z'),
      60_000,
    );
    expect(fired.map((d) => d.toISOString().slice(11, 16))).toEqual(['23:00', '00:00', '01:00', '02:00', '03:00']);
  });

  it('should fire once after downtime, not once per missed slot, and keep an interval on its phase', () => {
    const timing = { everyMs: 60 * 60_000 };
    const start = new Date('2026-01-01T10:15:00Z');
    const first = nextDueAfter(timing, start);
    expect(first.toISOString()).toBe('2026-01-01T11:15:00.000Z');
    const afterDowntime = advance(timing, first, new Date('2026-01-03T09:40:00Z'));
    expect(afterDowntime.due).toEqual(first);
    expect(afterDowntime.next.toISOString()).toBe('2026-01-03T10:15:00.000Z');
    const cronAfterDowntime = advance(daily, new Date('2026-03-28T01:30:00Z'), new Date('2026-04-02T12:00:00Z'));
    expect(cronAfterDowntime.next.toISOString()).toBe('2026-04-03T00:30:00.000Z');
    expect(advance(timing, afterDowntime.next, new Date('2026-01-03T10:00:00Z'))).toEqual({
      due: null,
      next: afterDowntime.next,
    });
  });

  it('should refuse timings that would never fire or would be read otherwise', () => {
    expect(() => validateTiming({})).toThrow('exactly one of everyMs or cron');
    expect(() => validateTiming({ everyMs: 1000, cron: '* * * * *' })).toThrow('exactly one of everyMs or cron');
    expect(() => validateTiming({ everyMs: 10 })).toThrow('at least 1000');
    expect(() => validateTiming({ cron: '0 30 2 * * *' })).toThrow('not a 5-field cron expression');
    expect(() => validateTiming({ cron: '61 * * * *' })).toThrow();
    expect(() => validateTiming({ cron: '0 3 * * *', timeZone: 'Mars/Olympus' })).toThrow(
      'Unknown time zone "Mars/Olympus"',
    );
    expect(() => validateTiming({ cron: '0 3 * * 1-5', timeZone: 'America/New_York' })).not.toThrow();
  });
});
