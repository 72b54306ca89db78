import { DiscoveryService } from '@nestjs/core';
import type { AppConfig } from '../config/app.config';
import type { ScheduleTiming } from './schedule-times';

// What a job type provides, what it declares about itself, and the two errors through which a handler steers its
// retries.

export interface JobContext {
  jobId: number;
  attempt: number;
  // This attempt is the last one when `attempt >= maxAttempts`.
  maxAttempts: number;
  brokerId: number | null;
  // Also a heartbeat: a handler that reports progress keeps its lease.
  progress(done: number, total: number | null): Promise<void>;
  // Aborted on shutdown (after the grace period) and when the job is cancelled.
  signal: AbortSignal;
}

export interface JobHandler<P = Record<string, unknown>> {
  // Throws on a payload that no longer parses: the job is dead at once with that message.
  parse(payload: unknown): P;
  handle(payload: P, ctx: JobContext): Promise<void>;
}

// A job made once per due time by a schedule in job_schedules.
export interface RecurringDeclaration {
  // The schedule's name; the job type when not given.
  name?: string;
  // From the configuration when it depends on it; null: not scheduled (a schedule of that name is removed).
  timing: ScheduleTiming | ((config: AppConfig) => ScheduleTiming | null);
  // Also once when the app starts, so that a run missed while it was down is not a whole interval late.
  atStart?: boolean;
}

// Everything the queue knows of a type, declared on its handler's class, never at an enqueue.
export interface JobDeclaration<P = never> {
  type: string;
  // Default 5.
  attempts?: number;
  // A second enqueue with the same key is a no-op (returns null) while the first holds it. How long the key holds:
  // 'forever' (default) while the job is queued, running or succeeded, for work that must happen once (one
  // finalize per attestation, one send per message); 'active' only while it is queued or running, for work that
  // may happen again later but never twice at once (one sync per broker). A dead or cancelled job frees its key
  // either way, so the work can be asked for again.
  unique?: { key: (payload: P, brokerId: number | null) => string; scope?: UniqueScope };
  recurring?: RecurringDeclaration;
}

export type UniqueScope = 'forever' | 'active';

export const DEFAULT_ATTEMPTS = 5;

// Discovered at start (JobRegistry): the class is the handler of the type it declares.
export const JobType = DiscoveryService.createDecorator<JobDeclaration<any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any

// `@JobHandler({ type, attempts, unique, recurring })` on a provider that implements JobHandler<P>.
export const JobHandler = <P>(declaration: JobDeclaration<P>): ClassDecorator => JobType(declaration);

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
