// Tuning of the Partner Center client. The app sets it from configuration; tests pass tiny waits, a recording
// sleep and a controllable clock so that retries and token expiry are exercised without real waiting.
export interface PartnerCenterClientOptions {
  timeoutMs: number; // per HTTP request, including reading the body
  maxAttempts: number; // per logical operation, for 429, 5xx and unreachable
  retryBaseMs: number; // first backoff step, doubled per attempt
  retryMaxWaitMs: number; // no single wait is longer, whatever Retry-After says
  maxBodyBytes: number; // larger answers are refused unread
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  onRetry: (event: RetryEvent) => void; // for the logs: what failed and how long until the next try
}

export interface RetryEvent {
  operation: string;
  requestId: string;
  attempt: number;
  maxAttempts: number;
  waitMs: number;
  reason: string; // "HTTP 429", "HTTP 503", "ECONNRESET"
}

export const PARTNER_CENTER_CLIENT_OPTIONS = Symbol('PARTNER_CENTER_CLIENT_OPTIONS');

export const LIVE_AUTHORITY_URL = 'https://login.microsoftonline.com';
export const LIVE_API_BASE_URL = 'https://api.partnercenter.microsoft.com';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function resolveClientOptions(options: Partial<PartnerCenterClientOptions> = {}): PartnerCenterClientOptions {
  return {
    timeoutMs: 15_000,
    maxAttempts: 4,
    retryBaseMs: 500,
    retryMaxWaitMs: 30_000,
    maxBodyBytes: 5 * 1024 * 1024,
    now: Date.now,
    sleep,
    random: Math.random,
    onRetry: () => undefined,
    ...options,
  };
}
