import { computeBackoffMs, parseRetryAfterMs } from './partner-center.transport';

describe('computeBackoffMs', () => {
  it('should double the step per failure, between half and all of it', () => {
    expect([1, 2, 3, 4].map((attempt) => computeBackoffMs(attempt, 500, 30_000, 1))).toEqual([
      500, 1_000, 2_000, 4_000,
    ]);
    expect([1, 2, 3, 4].map((attempt) => computeBackoffMs(attempt, 500, 30_000, 0))).toEqual([250, 500, 1_000, 2_000]);
  });

  it('should never exceed the cap, however many failures', () => {
    expect(computeBackoffMs(30, 500, 30_000, 1)).toBe(30_000);
    expect(computeBackoffMs(30, 500, 30_000, 0)).toBe(15_000);
  });

  it('should keep a broken random source inside the range', () => {
    expect(computeBackoffMs(1, 100, 1_000, 7)).toBe(100);
    expect(computeBackoffMs(1, 100, 1_000, -3)).toBe(50);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');

  it('should read seconds', () => {
    expect(parseRetryAfterMs('57', now)).toBe(57_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });

  it('should read an HTTP date, and a past one as no wait', () => {
    expect(parseRetryAfterMs('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('should ignore a missing or meaningless value', () => {
    expect(parseRetryAfterMs(null, now)).toBeNull();
    expect(parseRetryAfterMs('', now)).toBeNull();
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs('-5', now)).toBeNull();
  });
});
