import { RetryLaterError } from './job-handler';

const MAX_DELAY_MS = 60 * 60_000;

// Exponential backoff with jitter: base·2^(attempt-1) capped at an hour, of which a random half may be dropped, so
// that jobs that failed together (a server down) do not all come back at the same instant. A handler's
// RetryLaterError.afterMs (a Retry-After) replaces it, with at most a second of jitter added.
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  error: unknown,
  random: () => number = Math.random,
): number {
  if (error instanceof RetryLaterError && error.afterMs !== undefined && error.afterMs >= 0) {
    return Math.min(MAX_DELAY_MS, Math.round(error.afterMs + random() * Math.min(1000, error.afterMs * 0.1)));
  }
  const exponential = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random() * 0.5));
}
