import { decodeTimestamp } from './timestamp';

describe(decodeTimestamp.name, () => {
  it('should read SQLite text as UTC, keep zones and Dates, and refuse what is not an instant', () => {
    expect(decodeTimestamp('2026-11-25 21:00:00.123')?.toISOString()).toBe('2026-11-25T21:00:00.123Z');
    expect(decodeTimestamp('2026-11-25 21:00:00')?.toISOString()).toBe('2026-11-25T21:00:00.000Z');
    expect(decodeTimestamp('2026-11-25T21:00:00+02:00')?.toISOString()).toBe('2026-11-25T19:00:00.000Z');
    expect(decodeTimestamp(Date.UTC(2026, 0, 2))?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    const date = new Date();
    expect(decodeTimestamp(date)).toBe(date);
    expect(decodeTimestamp(null)).toBeNull();
    expect(decodeTimestamp(undefined)).toBeNull();
    expect(decodeTimestamp('not a date')).toBeNull();
    expect(decodeTimestamp(new Date(Number.NaN))).toBeNull();
    expect(decodeTimestamp({})).toBeNull();
  });
});
