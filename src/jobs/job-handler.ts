// What a job type provides, and the two errors through which a handler steers its retries.

export interface JobContext {
  jobId: number;
  attempt: number;
  brokerId: number | null;
  // Also a heartbeat: a handler that reports progress keeps its lease.
  progress(done: number, total: number | null): Promise<void>;
  // Aborted on shutdown (after the grace period) and when the job is cancelled.
  signal: AbortSignal;
}

export interface JobHandler<P = Record<string, unknown>> {
  readonly type: string;
  // Throws on a payload that no longer parses: the job is dead at once with that message.
  parse(payload: unknown): P;
  handle(payload: P, ctx: JobContext): Promise<void>;
}

// The work may succeed later (a 429 or a server that is down): retried after `afterMs` when given (a Retry-After),
// otherwise after the usual backoff.
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

// Trying again cannot help: the job is dead at once, with this message.
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}
