import { retryDelayMs } from './backoff';
import { RetryLaterError } from './job-handler';

describe(retryDelayMs.name, () => {
  it('should double the delay per attempt, keeping between half and all of it', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1000, new Error('x'), () => 1))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(retryDelayMs(3, 1000, new Error('x'), () => 0)).toBe(2000);
  });

  it('should cap the delay at an hour', () => {
    expect(retryDelayMs(40, 1000, new Error('x'), () => 1)).toBe(3_600_000);
  });

  it("should wait what a RetryLaterError asks for, whatever the attempt, with at most a second's jitter", () => {
    expect(retryDelayMs(6, 1000, new RetryLaterError('429', 250), () => 0)).toBe(250);
    expect(retryDelayMs(1, 1000, new RetryLaterError('429', 30_000), () => 1)).toBe(31_000);
    expect(retryDelayMs(1, 1000, new RetryLaterError('no hint'), () => 1)).toBe(1000);
  });
});
