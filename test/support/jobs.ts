import { JobQueue, type JobState, type JobView } from '../../src/jobs/job-queue.service';
import type { TestApp } from './test-app';

// Settings that make the worker quick in tests: a short poll, short backoff and a short lease.
export const FAST_JOBS_ENV = { JOB_POLL_MS: '50', JOB_RETRY_BASE_MS: '20', JOB_LEASE_MS: '1500' };

// Polls until `check` returns a value (not undefined); the test's own timeout bounds it.
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, everyMs = 25): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function waitForJob(testApp: TestApp, jobId: number, states: JobState[]): Promise<JobView> {
  const queue = testApp.app.get(JobQueue);
  return eventually(async () => {
    const job = await queue.get(jobId);
    return job && states.includes(job.state) ? job : undefined;
  });
}
