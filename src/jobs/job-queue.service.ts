import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ConflictError } from '../common/domain-errors';
import { SqlService, type Tx } from '../database/sql.service';
import { DEFAULT_ATTEMPTS, type UniqueScope } from './job-handler';
import { JobRegistry } from './job-registry';
import { JobsRepository, type JobView } from './jobs.repository';

export type { JobState, JobView } from './jobs.repository';

export interface EnqueueOptions {
  // The job runs with this broker in the request context and the system actor.
  brokerId?: number | null;
  runAt?: Date; // default now
}

export type JobEvent = { kind: 'enqueued' } | { kind: 'cancelled'; jobId: number };

const MAX_UNIQUE_KEY = 200;

// The jobs table: enqueued inside the caller's transaction, so a job exists exactly when the change that asked
// for it committed. Its attempts and unique key are those its handler declares (@JobHandler). The worker
// (JobWorker) claims and runs them.
@Injectable()
export class JobQueue {
  private readonly listeners = new Set<(event: JobEvent) => void>();

  constructor(
    private readonly sql: SqlService,
    private readonly jobs: JobsRepository,
    private readonly registry: JobRegistry,
    private readonly clock: Clock,
  ) {}

  // Null when the type's unique key is held by another job: the work is asked for already.
  enqueue(
    tx: Tx,
    type: string,
    payload: Record<string, unknown>,
    options: EnqueueOptions = {},
  ): Promise<number | null> {
    const unique = this.registry.declaration(type)?.unique;
    const brokerId = options.brokerId ?? null;
    const key = unique ? { key: unique.key(payload, brokerId), scope: unique.scope ?? 'forever' } : null;
    return this.insert(tx, type, payload, options, key);
  }

  // Under a unique key of the caller's, whatever the type declares: a schedule's run, once per due time.
  enqueueOnce(
    tx: Tx,
    type: string,
    payload: Record<string, unknown>,
    unique: { key: string; scope: UniqueScope },
  ): Promise<number | null> {
    return this.insert(tx, type, payload, {}, unique);
  }

  private async insert(
    tx: Tx,
    type: string,
    payload: Record<string, unknown>,
    options: EnqueueOptions,
    unique: { key: string; scope: UniqueScope } | null,
  ): Promise<number | null> {
    const maxAttempts = this.registry.declaration(type)?.attempts ?? DEFAULT_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`attempts must be a positive integer`);
    if (unique && (unique.key.length === 0 || unique.key.length > MAX_UNIQUE_KEY)) {
      throw new Error(`A job's unique key must be 1 to ${MAX_UNIQUE_KEY} characters`);
    }
    const now = this.clock.now();
    const id = await this.jobs.insert(tx, {
      type,
      payload,
      brokerId: options.brokerId ?? null,
      unique,
      maxAttempts,
      runAt: options.runAt ?? now,
      createdAt: now,
    });
    if (id !== null) tx.afterCommit(() => this.emit({ kind: 'enqueued' }));
    return id;
  }

  // Queued: never runs. Running: its handler's signal is aborted and whatever it does after is not recorded.
  async cancel(jobId: number): Promise<boolean> {
    const cancelled = await this.sql.transaction((tx) => this.jobs.cancel(tx, jobId, this.clock.now()));
    if (cancelled) this.emit({ kind: 'cancelled', jobId });
    return cancelled;
  }

  get(jobId: number): Promise<JobView | null> {
    return this.jobs.get(jobId);
  }

  // A dead job of this broker (or a broker-less one) runs again from its first attempt; its last error stays
  // until the next attempt ends. Null when there is no such dead job.
  async retry(jobId: number, brokerId: number): Promise<JobView | null> {
    try {
      const job = await this.sql.transaction((tx) => this.jobs.retry(tx, jobId, brokerId, this.clock.now()));
      if (job) this.emit({ kind: 'enqueued' });
      return job;
    } catch (error) {
      if (this.sql.dialect.isUniqueViolation(error)) {
        throw new ConflictError('The same work has been asked for again meanwhile, so this job is not run again');
      }
      throw error;
    }
  }

  // Jobs of a type not yet finished (waiting, retrying or running): a feature's backlog, e.g. the unsent mail.
  unfinished(type: string): Promise<number> {
    return this.jobs.unfinished(type);
  }

  // Whether a job of one of `types` is waiting or running, for any broker.
  anyActive(types: readonly string[]): Promise<boolean> {
    return this.jobs.anyActive(types);
  }

  // When the broker's waiting or running job of `type` was asked for (e.g. "is a sync of this broker active");
  // null when there is none.
  activeSince(brokerId: number, type: string): Promise<Date | null> {
    return this.jobs.activeSince(brokerId, type);
  }

  // The worker listens: it wakes as soon as a transaction that enqueued has committed.
  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: JobEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
