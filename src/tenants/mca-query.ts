import { TENANT_STATUSES, type TenantStatus } from './tenant-status';

// The whole state of the MCA page, as its URL holds it (bookmarkable, and the back button restores it).
// Two more filters pick pending tenants by the part of the wait their attestation is in.
export const ATTESTATION_FILTERS = ['ready', 'expired'] as const;
export type AttestationFilter = (typeof ATTESTATION_FILTERS)[number];
export type StatusFilter = 'all' | TenantStatus | AttestationFilter;
export const STATUS_FILTERS: readonly StatusFilter[] = ['all', ...TENANT_STATUSES, ...ATTESTATION_FILTERS];
export const isAttestationFilter = (filter: StatusFilter): filter is AttestationFilter =>
  (ATTESTATION_FILTERS as readonly string[]).includes(filter);

export const SORT_KEYS = ['name', 'status', 'date'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

// Names A to Z, statuses needing attention first, newest acceptance first.
export const DEFAULT_DIRECTION: Record<SortKey, SortDirection> = { name: 'asc', status: 'asc', date: 'desc' };

export const PAGE_SIZES = [10, 25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 25;
export const SEARCH_MAX_LENGTH = 200;

export interface McaQuery {
  status: StatusFilter;
  q: string;
  sort: SortKey;
  dir: SortDirection;
  page: number;
  size: number;
}

export const DEFAULT_MCA_QUERY: McaQuery = {
  status: 'all',
  q: '',
  sort: 'name',
  dir: 'asc',
  page: 1,
  size: DEFAULT_PAGE_SIZE,
};

export const MCA_PATH = '/mca';

// Where the next or the previous page starts: after (or before) the row with this id. With it, that page is read
// from the row on in the index (keyset) instead of stepping over every row before it; the page number still
// says where it is. Only the Next and Previous links carry one.
export interface PageCursor {
  direction: 'after' | 'before';
  id: number;
}

// The URL of a state: only what differs from the defaults, in a fixed order, so that one state has one URL.
export function mcaUrl(query: McaQuery, changes: Partial<McaQuery> = {}, cursor: PageCursor | null = null): string {
  const next = { ...query, ...changes };
  const params = new URLSearchParams();
  if (next.status !== DEFAULT_MCA_QUERY.status) params.set('status', next.status);
  if (next.q !== '') params.set('q', next.q);
  if (next.sort !== DEFAULT_MCA_QUERY.sort) params.set('sort', next.sort);
  if (next.dir !== DEFAULT_DIRECTION[next.sort]) params.set('dir', next.dir);
  if (next.page !== 1) params.set('page', String(next.page));
  if (next.size !== DEFAULT_PAGE_SIZE) params.set('size', String(next.size));
  if (cursor) params.set(cursor.direction, String(cursor.id));
  const search = params.toString();
  return search ? `${MCA_PATH}?${search}` : MCA_PATH;
}

export interface PageWindow {
  page: number;
  pageCount: number;
  offset: number; // of the first row shown, in the requested order
  limit: number;
  // Past the middle, the rows are read from the other end (OFFSET costs the rows it skips) and put back in order.
  reverse: boolean;
  queryOffset: number;
}

export function pageWindow(total: number, page: number, size: number): PageWindow {
  const pageCount = Math.max(1, Math.ceil(total / size));
  const current = Math.min(Math.max(1, page), pageCount);
  const offset = (current - 1) * size;
  const limit = Math.max(0, Math.min(size, total - offset));
  const reverse = offset > total / 2;
  return { page: current, pageCount, offset, limit, reverse, queryOffset: reverse ? total - offset - limit : offset };
}
