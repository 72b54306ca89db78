import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { inspect } from 'node:util';
import { BrokersRepository } from '../brokers/brokers.repository';
import { AppInstance } from '../common/app-instance';
import { Clock } from '../common/clock';
import { runAsSystem, runForBroker, type Actor } from '../common/request-context';
import { InjectAppConfig, type AppConfig, type JobWorkerSettings } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { retryDelayMs } from './backoff';
import { PermanentJobError, type JobContext } from './job-handler';
import { JobQueue } from './job-queue.service';
import { JobMetrics } from './job-metrics';
import { JobRegistry } from './job-registry';
import { JobsRepository, type ClaimedJob } from './jobs.repository';

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
  // Cancelled, taken over by another instance, or released at shutdown: whatever the handler does next is not
  // recorded against the job.
  lost: boolean;
}

// Thrown by ctx.progress() once the job is no longer this worker's (cancelled, taken over).
class JobLostError extends Error {
  constructor() {
    super('The job was cancelled or taken over by another app instance');
    this.name = 'JobLostError';
  }
}

const MAX_ERROR_LENGTH = 2000;
const INTERRUPTED_BY_SHUTDOWN = 'The app shut down during this attempt: handed back to the queue';
const LAST_ATTEMPT_LOST = 'The app instance running its last attempt stopped without finishing it (its lease ran out)';

// What an admin reads on the Background work page: the error's own words, whatever was thrown.
export function describeJobError(error: unknown): string {
  const text =
    error instanceof Error
      ? error.message || error.name
      : `The handler threw a non-Error value: ${inspect(error, { depth: 2, breakLength: Infinity })}`;
  return text.slice(0, MAX_ERROR_LENGTH);
}

// Claims due jobs with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the claim is one statement in a
// serialised write transaction), keeps the lease alive by heartbeat, runs each job's handler for its broker as the
// system actor, and records the outcome. A job whose instance died is claimed again once its lease ran out.
@Injectable()
export class JobWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobWorker.name);
  private readonly owner: string;
  private readonly settings: JobWorkerSettings;
  private readonly running = new Map<number, RunningJob>();
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private wokenEarly = false;
  private unsubscribe: (() => void) | null = null;
  private lastPollAt: number | null = null;

  constructor(
    private readonly sql: SqlService,
    private readonly jobs: JobsRepository,
    private readonly queue: JobQueue,
    private readonly registry: JobRegistry,
    private readonly metrics: JobMetrics,
    private readonly brokers: BrokersRepository,
    private readonly clock: Clock,
    instance: AppInstance,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.owner = instance.id;
    this.settings = config.jobs;
  }

  onApplicationBootstrap(): void {
    if (this.settings.enabled) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.loopDone) return;
    this.stopping = false;
    this.unsubscribe = this.queue.subscribe((event) => {
      if (event.kind === 'enqueued') this.wake();
      else this.abandon(event.jobId, 'The job was cancelled');
    });
    this.loopDone = this.loop();
  }

  // Stops claiming, lets running jobs finish within the grace period, then releases the rest to be claimed again.
  async stop(): Promise<void> {
    if (!this.loopDone) return;
    this.stopping = true;
    this.unsubscribe?.();
    this.wake();
    await this.loopDone;
    this.loopDone = null;
    const finished = Promise.all([...this.running.values()].map((job) => job.done));
    const inTime = await Promise.race([
      finished.then(() => true),
      delay(this.settings.shutdownGraceMs).then(() => false),
    ]);
    if (inTime) return;
    const ids = [...this.running.keys()];
    for (const id of ids) this.abandon(id, 'The app is shutting down');
    await this.release(ids).catch((error: unknown) =>
      this.logger.error(`Releasing jobs ${ids.join(', ')}: ${String(error)}`),
    );
    // The handlers were told to stop; give them a moment so none writes after the database closed.
    await Promise.race([finished, delay(2000)]);
  }

  // For /readyz: whether this instance runs jobs, whether its loop runs, and when it last looked for work.
  liveness(): { enabled: boolean; running: boolean; lastPollAt: number | null; pollMs: number } {
    return {
      enabled: this.settings.enabled,
      running: this.loopDone !== null && !this.stopping,
      lastPollAt: this.lastPollAt,
      pollMs: this.settings.pollMs,
    };
  }

  // Whether this worker has no job running (tests and the bench wait on it).
  get idle(): boolean {
    return this.running.size === 0;
  }

  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wokenEarly = true;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.lastPollAt = this.clock.nowMs();
      const free = this.settings.concurrency - this.running.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const jobs = await this.claim(free);
          claimed = jobs.length;
          for (const job of jobs) this.run(job);
        } catch (error) {
          this.logger.error(
            `Claiming jobs: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
        }
      }
      if (this.stopping) break;
      if (free <= 0 || claimed < free) await this.sleep(this.settings.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wokenEarly) {
      this.wokenEarly = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wakeUp?.(), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
    });
  }

  private claim(limit: number): Promise<ClaimedJob[]> {
    return this.sql.transaction((tx) => {
      const now = this.clock.now();
      const leaseUntil = new Date(now.getTime() + this.settings.leaseMs);
      return this.jobs.claim(tx, this.owner, now, leaseUntil, limit, LAST_ATTEMPT_LOST);
    });
  }

  private run(job: ClaimedJob): void {
    const entry: RunningJob = { controller: new AbortController(), done: Promise.resolve(), lost: false };
    this.running.set(job.id, entry);
    entry.done = this.execute(job, entry)
      .catch((error: unknown) => this.logger.error(`Job ${job.id} (${job.type}): ${String(error)}`))
      .finally(() => {
        this.running.delete(job.id);
        this.wake();
      });
  }

  private async execute(job: ClaimedJob, entry: RunningJob): Promise<void> {
    const heartbeat = setInterval(
      () =>
        void this.extendLease(job.id, entry, null).catch((error: unknown) =>
          this.logger.warn(`Job ${job.id} heartbeat: ${String(error)}`),
        ),
      Math.max(50, Math.floor(this.settings.leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      const { handler, payload } = await this.prepare(job);
      const ctx: JobContext = {
        jobId: job.id,
        attempt: job.attempt,
        maxAttempts: job.maxAttempts,
        brokerId: job.brokerId,
        signal: entry.controller.signal,
        progress: (done, total) => this.extendLease(job.id, entry, { done, total }),
      };
      const actor: Actor = { type: 'system', jobId: job.id, label: `job ${job.id}` };
      const work = () => handler.handle(payload, ctx);
      await (job.brokerId === null ? runAsSystem(work, actor) : runForBroker(job.brokerId, work, actor));
      clearInterval(heartbeat);
      if (!entry.lost) await this.finish(job, 'succeeded', null);
    } catch (error) {
      clearInterval(heartbeat);
      if (!entry.lost) await this.fail(job, error);
    } finally {
      clearInterval(heartbeat);
    }
  }

  // Every reason a job cannot even start is permanent: trying again would meet the same reason.
  private async prepare(job: ClaimedJob) {
    const handler = this.registry.get(job.type);
    if (!handler) throw new PermanentJobError(`Unknown job type "${job.type}": no handler for it in this app`);
    if (job.brokerId !== null && !(await this.brokers.exists(job.brokerId)))
      throw new PermanentJobError(`Broker ${job.brokerId} no longer exists`);
    let payload: unknown;
    try {
      payload = handler.parse(JSON.parse(job.payload));
    } catch (error) {
      throw new PermanentJobError(`The job's payload does not parse: ${describeJobError(error)}`);
    }
    return { handler, payload };
  }

  private async extendLease(
    jobId: number,
    entry: RunningJob,
    progress: { done: number; total: number | null } | null,
  ): Promise<void> {
    if (entry.lost) throw new JobLostError();
    const until = new Date(this.clock.nowMs() + this.settings.leaseMs);
    const kept = await this.sql.transaction((tx) => this.jobs.extendLease(tx, jobId, this.owner, until, progress));
    if (!kept) {
      this.abandon(jobId, 'The job was cancelled or taken over by another app instance');
      throw new JobLostError();
    }
  }

  private abandon(jobId: number, reason: string): void {
    const entry = this.running.get(jobId);
    if (!entry || entry.lost) return;
    entry.lost = true;
    entry.controller.abort(new Error(reason));
  }

  private async fail(job: ClaimedJob, error: unknown): Promise<void> {
    const message = describeJobError(error);
    if (error instanceof PermanentJobError || job.attempt >= job.maxAttempts) {
      if (await this.finish(job, 'dead', message)) this.died(job, message);
      return;
    }
    const runAt = new Date(this.clock.nowMs() + retryDelayMs(job.attempt, this.settings.retryBaseMs, error));
    await this.sql.transaction((tx) => this.jobs.requeue(tx, job.id, this.owner, runAt, message));
    this.metrics.finished.inc({ kind: job.type, result: 'retried' });
    this.logger.warn(
      `Job ${job.id} (${job.type}) attempt ${job.attempt} failed, retrying at ${runAt.toISOString()}: ${message}`,
    );
  }

  // The one place a job's death is noticed: the audit trail's 'job.dead' event belongs here.
  private died(job: ClaimedJob, message: string): void {
    this.logger.error(`Job ${job.id} (${job.type}) is dead after attempt ${job.attempt}: ${message}`);
  }

  private async finish(job: ClaimedJob, state: 'succeeded' | 'dead', error: string | null): Promise<boolean> {
    const finished = await this.sql.transaction((tx) =>
      this.jobs.finish(tx, job.id, this.owner, state, this.clock.now(), error),
    );
    if (finished) this.metrics.finished.inc({ kind: job.type, result: state });
    return finished;
  }

  // Handed back with its attempt counted (the message it was sending may have left), for any instance to take at once.
  private async release(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.transaction(async (tx) => {
      for (const id of ids) await this.jobs.handBack(tx, id, this.owner, this.clock.now(), INTERRUPTED_BY_SHUTDOWN);
    });
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
