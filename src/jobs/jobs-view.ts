import { keysetLinks } from '../common/keyset-page';
import type { FieldMessages } from '../common/domain-errors';
import { jobKindName } from './job-kinds';
import type { JobPage, LiveJobCounts } from './job-list.service';
import { JOB_LIST_STATES, jobsUrl, type JobFilters, type JobListState } from './job-list.query';
import type { JobView } from './jobs.repository';

// "850 ms", "42 s", "3 min 5 s", "2 h 10 min": how long a job took, as a person reads it.
export function describeDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

export function listStateOf(job: JobView): JobListState {
  switch (job.state) {
    case 'queued':
      return job.attempts > 0 ? 'retrying' : 'waiting';
    case 'running':
      return 'running';
    case 'succeeded':
      return 'done';
    case 'dead':
      return 'failed';
    default:
      return 'cancelled';
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function jobRow(job: JobView, now: Date) {
  const state = listStateOf(job);
  const ended =
    job.finishedAt && job.startedAt ? describeDuration(job.finishedAt.getTime() - job.startedAt.getTime()) : null;
  const progress =
    job.progressTotal !== null
      ? `${job.progressDone ?? 0} of ${job.progressTotal}`
      : job.progressDone !== null
        ? `${job.progressDone} done`
        : null;
  const when = {
    waiting: { label: 'Runs', at: job.runAt },
    retrying: { label: 'Next attempt', at: job.runAt },
    running: { label: 'Started', at: job.startedAt },
    done: { label: 'Ended', at: job.finishedAt },
    failed: { label: 'Failed', at: job.finishedAt },
    cancelled: { label: 'Cancelled', at: job.finishedAt ?? job.runAt },
  }[state];
  return {
    id: job.id,
    kind: jobKindName(job.type),
    state,
    stateLabel: JOB_LIST_STATES[state].label,
    when,
    duration:
      state === 'running' && job.startedAt
        ? `${describeDuration(now.getTime() - job.startedAt.getTime())} so far`
        : ended,
    attempts:
      job.attempts > 1 || state === 'failed' || state === 'retrying' ? `${job.attempts} of ${job.maxAttempts}` : null,
    progress,
    progressDone: job.progressDone ?? 0,
    progressTotal: job.progressTotal,
    error: state === 'done' ? null : job.lastError,
    retryable: state === 'failed',
  };
}

export function jobsView(
  page: JobPage,
  filters: JobFilters,
  errors: FieldMessages,
  kinds: readonly string[],
  live: LiveJobCounts,
  atNewest: boolean,
  retentionDays: number,
  now: Date,
) {
  const filtered = filters.state !== '' || filters.kind !== '';
  const liveParts = [
    live.running && { text: `${live.running} running`, href: jobsUrl({ state: 'running', kind: '' }) },
    live.waiting && { text: `${live.waiting} waiting`, href: jobsUrl({ state: 'waiting', kind: '' }) },
    live.retrying && { text: `${live.retrying} to be retried`, href: jobsUrl({ state: 'retrying', kind: '' }) },
  ].filter(Boolean);
  const jobs = page.jobs.map((job) => jobRow(job, now));
  return {
    title: 'Background work',
    values: filters,
    errors,
    refused: Object.keys(errors).length > 0,
    states: Object.entries(JOB_LIST_STATES).map(([value, { label }]) => ({
      value,
      label,
      selected: value === filters.state,
    })),
    kinds: kinds
      .map((value) => ({ value, label: jobKindName(value), selected: value === filters.kind }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    live: liveParts,
    retention: plural(retentionDays, 'day'),
    jobs,
    empty: jobs.length === 0,
    filtered,
    clearUrl: jobsUrl({ state: '', kind: '' }),
    selfUrl: jobsUrl(filters, {}),
    // The newest page polls itself while something runs or waits; an older page stays as it is.
    busy: atNewest && liveParts.length > 0,
    paging: keysetLinks(page, (cursor) => jobsUrl(filters, cursor)),
  };
}
