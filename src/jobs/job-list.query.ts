import { firstQueryText } from '../common/query-text';
import type { KeysetCursor } from '../common/keyset-page';
import { parseId } from '../common/ids';
import type { FieldMessages } from '../common/domain-errors';

// Background work's list: filters from its GET form, and a keyset cursor (job ids, newest first).
export const JOBS_PATH = '/admin/jobs';
export const JOB_PAGE_SIZE = 50;

// The states as an admin reads them: a queued job that has failed before is "retrying".
export const JOB_LIST_STATES = {
  waiting: { label: 'Waiting' },
  retrying: { label: 'Failed, to be retried' },
  running: { label: 'Running' },
  done: { label: 'Done' },
  failed: { label: 'Failed' },
  cancelled: { label: 'Cancelled' },
} as const;
export type JobListState = keyof typeof JOB_LIST_STATES;

export interface JobFilters {
  state: JobListState | '';
  kind: string;
}

export type JobCursor = KeysetCursor;

const cursorId = (value: unknown): number | undefined => parseId(firstQueryText(value)) ?? undefined;

// `kinds` are the job types there are (registered or named); anything else is refused with a message next to its
// field. A stale or edited cursor just starts from the newest.
export function parseJobQuery(
  query: Record<string, unknown>,
  kinds: readonly string[],
): { filters: JobFilters; cursor: JobCursor; errors: FieldMessages } {
  const errors: FieldMessages = {};
  const state = firstQueryText(query.state);
  const kind = firstQueryText(query.kind);
  const known = Object.hasOwn(JOB_LIST_STATES, state);
  if (state !== '' && !known) errors.state = 'Choose a state from the list';
  if (kind !== '' && !kinds.includes(kind)) errors.kind = 'Choose a kind of work from the list';
  const before = cursorId(query.before);
  const after = before === undefined ? cursorId(query.after) : undefined;
  return {
    filters: { state: known ? (state as JobListState) : '', kind: errors.kind ? '' : kind },
    cursor: { before, after },
    errors,
  };
}

export function jobsUrl(filters: JobFilters, cursor: JobCursor = {}): string {
  const params = new URLSearchParams();
  if (filters.state) params.set('state', filters.state);
  if (filters.kind) params.set('kind', filters.kind);
  if (cursor.before !== undefined) params.set('before', String(cursor.before));
  if (cursor.after !== undefined) params.set('after', String(cursor.after));
  const text = params.toString();
  return text ? `${JOBS_PATH}?${text}` : JOBS_PATH;
}
