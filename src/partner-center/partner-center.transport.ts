import { randomUUID } from 'node:crypto';
import { timeoutError, tooLargeError, unreachableError, type FailureContext } from './partner-center.errors';
import type { PartnerCenterClientOptions } from './partner-center.options';
import { PartnerCenterError } from './partner-center.types';

export interface TransportRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  operation: string;
  requestId: string;
  correlate?: boolean; // a Partner Center call: a new MS-CorrelationId on every try
}

export interface TransportResponse {
  status: number;
  headers: Headers;
  text: string;
  attempts: number;
}

// Exponential backoff with "equal jitter": half the step is fixed, half random, so that retries of many
// callers spread out but none retries at once. `attempt` counts the failures so far (1 = after the first).
export function computeBackoffMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * Math.min(1, Math.max(0, random)));
}

// Retry-After is seconds or an HTTP date; anything else is ignored.
export function parseRetryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  if (!/GMT$/i.test(value.trim())) return null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

const networkReason = (error: unknown) => {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? code : 'network error';
};
const isRetryableStatus = (status: number) => status === 429 || status >= 500;
const isTimeout = (error: unknown) =>
  ['TimeoutError', 'AbortError'].includes((error as { name?: unknown } | null)?.name as string);

// Reads at most `maxBytes` of the body (after decompression), so a huge or endless answer cannot exhaust memory.
async function readCapped(response: Response, maxBytes: number, context: FailureContext): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLargeError(context, maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLargeError(context, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// One logical operation over HTTP: a timeout per attempt, and retries with backoff on 429, 5xx and network
// failures. Every attempt carries the same MS-RequestId, so Partner Center can tell a retry from a new operation,
// and (for Partner Center calls) its own MS-CorrelationId, which Microsoft asks to be "reset for every call". A timeout is not retried: the caller has already waited as long as it accepts.
// Other statuses are returned for the caller to interpret.
//
// A 429's Retry-After holds back every call to that server, not only the one that got it: Microsoft throttles per
// partner tenant, so the other calls in flight (a sync reads a few customers at once) would only be refused too.
export class PartnerCenterTransport {
  private readonly resumeAt = new Map<string, number>();

  constructor(private readonly options: PartnerCenterClientOptions) {}

  async send(request: TransportRequest): Promise<TransportResponse> {
    const { maxAttempts, retryBaseMs, retryMaxWaitMs } = this.options;
    const server = new URL(request.url).origin;
    let lastResponse: TransportResponse | null = null;
    let lastNetworkError: unknown = null;
    let waitedUntil = 0; // this operation's own backoff already covers a hold until then
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const context = { operation: request.operation, requestId: request.requestId, attempts: attempt };
      let retryAfterMs: number | null = null;
      const held = (this.resumeAt.get(server) ?? 0) - Math.max(this.options.now(), waitedUntil);
      if (held > 0) await this.options.sleep(Math.min(held, retryMaxWaitMs));
      try {
        const response = await this.attempt(request, context);
        if (!isRetryableStatus(response.status)) return { ...response, attempts: attempt };
        lastResponse = { ...response, attempts: attempt };
        lastNetworkError = null;
        retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), this.options.now());
        if (response.status === 429 && retryAfterMs !== null)
          this.resumeAt.set(
            server,
            Math.max(this.resumeAt.get(server) ?? 0, this.options.now() + Math.min(retryAfterMs, retryMaxWaitMs)),
          );
      } catch (error) {
        if (error instanceof PartnerCenterError) throw error;
        lastNetworkError = error;
      }
      if (attempt === maxAttempts) break;
      const backoff = computeBackoffMs(attempt, retryBaseMs, retryMaxWaitMs, this.options.random());
      const waitMs = Math.min(retryMaxWaitMs, Math.max(retryAfterMs ?? 0, backoff));
      const reason = lastNetworkError !== null ? networkReason(lastNetworkError) : `HTTP ${lastResponse?.status}`;
      this.options.onRetry({
        operation: request.operation,
        requestId: request.requestId,
        attempt,
        maxAttempts,
        waitMs,
        reason,
      });
      waitedUntil = this.options.now() + waitMs;
      await this.options.sleep(waitMs);
    }
    if (lastNetworkError !== null || lastResponse === null) {
      throw unreachableError(request.url, lastNetworkError, {
        operation: request.operation,
        requestId: request.requestId,
        attempts: maxAttempts,
      });
    }
    return lastResponse;
  }

  private async attempt(
    request: TransportRequest,
    context: FailureContext,
  ): Promise<Omit<TransportResponse, 'attempts'>> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.correlate ? { ...request.headers, 'MS-CorrelationId': randomUUID() } : request.headers,
        body: request.body,
        signal,
      });
      const text = await readCapped(response, this.options.maxBodyBytes, context);
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      if (isTimeout(error)) throw timeoutError(context, this.options.timeoutMs);
      throw error;
    }
  }
}
