import {
  canonicalTimeZone,
  firstShiftedRun,
  nextRun,
  runsAfter,
  type ScheduleTiming,
  zonedText,
} from './schedule-time';

const timing = (changes: Partial<ScheduleTiming>): ScheduleTiming => ({
  frequency: 'daily',
  weekday: null,
  dayOfMonth: null,
  time: '07:00',
  timeZone: 'Europe/Stockholm',
  ...changes,
});

// A controllable clock: every "now" is given, and each next run starts from the run before it.
const runs = (schedule: ScheduleTiming, from: string, count: number): string[] => {
  const result: string[] = [];
  let now = new Date(from);
  for (let i = 0; i < count; i++) {
    now = nextRun(schedule, now);
    result.push(now.toISOString());
  }
  return result;
};

describe('schedule time', () => {
  it('should run daily at the local time, in winter and in summer time', () => {
    expect(runs(timing({}), '2026-03-27T12:00:00Z', 4)).toEqual([
      '2026-03-28T06:00:00.000Z',
      '2026-03-29T05:00:00.000Z', // clocks went forward that night: 07:00 CEST
      '2026-03-30T05:00:00.000Z',
      '2026-03-31T05:00:00.000Z',
    ]);
  });

  it('should run today when the time has not passed yet, and tomorrow when it has', () => {
    expect(nextRun(timing({}), new Date('2026-01-05T05:59:00Z')).toISOString()).toBe('2026-01-05T06:00:00.000Z');
    expect(nextRun(timing({}), new Date('2026-01-05T06:00:00Z')).toISOString()).toBe('2026-01-06T06:00:00.000Z');
  });

  it('should run weekly on its weekday (Monday 07:00 Europe/Stockholm)', () => {
    expect(runs(timing({ frequency: 'weekly', weekday: 1 }), '2026-10-21T00:00:00Z', 3)).toEqual([
      '2026-10-26T06:00:00.000Z', // the Monday after clocks went back: 07:00 CET
      '2026-11-02T06:00:00.000Z',
      '2026-11-09T06:00:00.000Z',
    ]);
  });

  it('should run monthly on the 31st, and on the last day of shorter months', () => {
    const monthly = timing({ frequency: 'monthly', dayOfMonth: 31, time: '09:30', timeZone: 'UTC' });
    expect(runs(monthly, '2027-01-01T00:00:00Z', 5)).toEqual([
      '2027-01-31T09:30:00.000Z',
      '2027-02-28T09:30:00.000Z',
      '2027-03-31T09:30:00.000Z',
      '2027-04-30T09:30:00.000Z',
      '2027-05-31T09:30:00.000Z',
    ]);
    expect(nextRun(monthly, new Date('2028-02-01T00:00:00Z')).toISOString()).toBe('2028-02-29T09:30:00.000Z');
  });

  it('should run a time that the clocks skip as much later as they jumped, once', () => {
    const gap = timing({ time: '02:30' });
    expect(runs(gap, '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-29T01:30:00.000Z', // 03:30 CEST: 02:30 did not exist
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
    const shifted = firstShiftedRun(gap, new Date('2026-01-01T00:00:00Z'));
    expect(shifted && zonedText(shifted.at, 'Europe/Stockholm')).toBe('Sun 29 Mar 2026, 03:30');
    expect(firstShiftedRun(timing({ time: '02:30', frequency: 'weekly', weekday: 1 }), new Date('2026-01-01'))).toBe(
      null,
    );
  });

  it('should run a time that happens twice, when clocks go back, once at its first occurrence', () => {
    const twice = timing({ time: '02:30' });
    expect(runs(twice, '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, the first of the two
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('should follow the United States changes too (America/New_York)', () => {
    const ny = (time: string) => timing({ time, timeZone: 'America/New_York' });
    // 02:00 does not exist on 8 Mar: 03:00 EDT.
    expect(runs(ny('02:00'), '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:00:00.000Z',
    ]);
    // 01:30 happens twice on 1 Nov: the EDT one.
    expect(runs(ny('01:30'), '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('should list the runs after an instant in order without repeating a day', () => {
    const all = [...runsAfter(timing({ time: '02:30' }), new Date('2026-01-01T00:00:00Z'), 365)].map((r) => r.at);
    const days = new Set(all.map((at) => at.toISOString().slice(0, 10)));
    expect(all.length).toBe(days.size);
    expect(all.every((at, i) => i === 0 || at > all[i - 1])).toBe(true);
  });

  it('should know IANA zones and refuse others', () => {
    expect(canonicalTimeZone('Europe/Stockholm')).toBe('Europe/Stockholm');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBe(null);
    expect(canonicalTimeZone('Europe/Stockholm\r\nX')).toBe(null);
  });
});
