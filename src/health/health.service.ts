import { Injectable, Logger } from '@nestjs/common';
import { BUSY_BUDGET_MS } from '../database/sql.service';
import { InstallationCheck, type CheckResult } from '../database/installation-check.service';
import { JobWorker } from '../jobs/job-worker.service';
import { Clock } from '../common/clock';
import { ShutdownState } from '../common/shutdown-state';

export interface Readiness {
  status: 'ready' | 'unavailable';
  checks: Record<string, { status: 'pass' | 'fail'; detail: string; latencyMs?: number }>;
}

// A worker loop that has not looked for work in this long has stopped or hangs: a poll, plus a claim that waited
// out a busy database, plus slack for a loaded machine.
const stalledAfterMs = (pollMs: number) => 3 * pollMs + BUSY_BUDGET_MS + 5000;

// Probes ask /readyz every few seconds and its requests are not logged one by one: a change of readiness is logged
// once, with the checks that failed, and once more when the instance is ready again.
@Injectable()
export class HealthService {
  private readonly logger = new Logger('Readiness');
  private wasReady = true;

  constructor(
    private readonly installation: InstallationCheck,
    private readonly worker: JobWorker,
    private readonly shutdown: ShutdownState,
    private readonly clock: Clock,
  ) {}

  async readiness(): Promise<Readiness> {
    const results: Record<string, CheckResult> = {
      shutdown: this.shutdownCheck(),
      ...(await this.installation.readiness()),
      jobWorker: this.jobWorker(),
    };
    const checks = Object.fromEntries(
      Object.entries(results).map(
        ([name, { ok, ...rest }]) => [name, { status: ok ? 'pass' : 'fail', ...rest }] as const,
      ),
    );
    const ready = Object.values(results).every((result) => result.ok);
    if (ready !== this.wasReady) this.logChange(ready, results);
    return { status: ready ? 'ready' : 'unavailable', checks };
  }

  private logChange(ready: boolean, results: Record<string, CheckResult>): void {
    this.wasReady = ready;
    if (ready) return this.logger.log('Ready again');
    const failed = Object.entries(results).filter(([, result]) => !result.ok);
    this.logger.warn(`Not ready: ${failed.map(([name, result]) => `${name}: ${result.detail}`).join('; ')}`);
  }

  // A stopping instance still answers what it was sent, but is sent nothing new (src/graceful-shutdown.ts).
  private shutdownCheck(): CheckResult {
    const since = this.shutdown.drainingSince;
    return since ? { ok: false, detail: `Stopping since ${since.toISOString()}` } : { ok: true, detail: 'Running' };
  }

  private jobWorker(): CheckResult {
    const { enabled, running, lastPollAt, pollMs } = this.worker.liveness();
    if (!enabled) return { ok: true, detail: 'Off on this instance (JOB_WORKER=off): other instances run the jobs' };
    if (!running) return { ok: false, detail: 'Stopped' };
    const age = lastPollAt === null ? Number.POSITIVE_INFINITY : this.clock.nowMs() - lastPollAt;
    const limit = stalledAfterMs(pollMs);
    return age <= limit
      ? { ok: true, detail: `Looked for work ${Math.round(age)} ms ago` }
      : {
          ok: false,
          detail: `Has not looked for work for ${lastPollAt === null ? 'ever' : `${Math.round(age)} ms`} (limit ${limit} ms)`,
        };
  }
}
