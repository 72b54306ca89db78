import { parseId } from '../common/ids';
import { TENANT_STATUSES, type TenantStatus } from './tenant-status';

// The whole state of the MCA page, as its URL holds it (bookmarkable, and the back button restores it).
// Two more filters pick pending tenants by the part of the wait their attestation is in.
// Filters by a mark on the row rather than its status: an attestation's part of the wait, or re-acceptance needed.
export const ATTESTATION_FILTERS = ['ready', 'expired', 'reaccept'] as const;
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

// The page's query string, read by hand: it is parsed on every page view, and a ValidationPipe run (class-transformer
// and class-validator) cost more than the rest of the parsing. A value the page never links to (an old bookmark, a
// hand-edited URL) falls back to its default instead of failing; only a search too long to be typed is refused
// (see McaController).
export type RawQuery = Readonly<Record<string, unknown>>;

// A repeated parameter (?status=a&status=b) arrives as an array: the first one counts.
export const singleParam = (value: unknown): string | undefined => {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
};

const oneOf = <T extends string | number>(allowed: readonly T[], raw: string | number | undefined): T | undefined =>
  allowed.includes(raw as T) ? (raw as T) : undefined;

// Control characters cannot be typed into the search box and no tenant field holds one; PostgreSQL refuses a NUL
// in any text and FTS5 reads it as the end of the term.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

// Ids are 32-bit integers on both databases: a larger one names no row (and PostgreSQL refuses to compare it).
const PAGE_NUMBER = /^\d{1,7}$/;

export const parseStatusParam = (value: unknown): StatusFilter => oneOf(STATUS_FILTERS, singleParam(value)) ?? 'all';
export const parseSearchParam = (value: unknown): string =>
  (singleParam(value) ?? '').replace(CONTROL_CHARACTERS, '').trim();
export const parseSortParam = (value: unknown): SortKey => oneOf(SORT_KEYS, singleParam(value)) ?? 'name';
// Unset means the sort's own default direction.
export const parseDirParam = (value: unknown): SortDirection | undefined => oneOf(SORT_DIRECTIONS, singleParam(value));
export const parsePageParam = (value: unknown): number => {
  const raw = singleParam(value);
  return raw !== undefined && PAGE_NUMBER.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
};
export const parseSizeParam = (value: unknown): number | undefined => {
  const raw = singleParam(value);
  return raw === undefined ? undefined : oneOf<number>(PAGE_SIZES, Number(raw));
};
export const parseRowIdParam = (value: unknown): number | undefined => {
  return parseId(singleParam(value)) ?? undefined;
};

export function parseMcaQuery(raw: RawQuery): { query: McaQuery; cursor: PageCursor | null } {
  const sort = parseSortParam(raw.sort);
  const after = parseRowIdParam(raw.after);
  const before = after === undefined ? parseRowIdParam(raw.before) : undefined;
  return {
    query: {
      status: parseStatusParam(raw.status),
      q: parseSearchParam(raw.q),
      sort,
      dir: parseDirParam(raw.dir) ?? DEFAULT_DIRECTION[sort],
      page: parsePageParam(raw.page),
      size: parseSizeParam(raw.size) ?? DEFAULT_PAGE_SIZE,
    },
    cursor:
      after !== undefined
        ? { direction: 'after', id: after }
        : before !== undefined
          ? { direction: 'before', id: before }
          : null,
  };
}

// The rows a page asks to read again (?id=1&id=2…): at most a page's worth, each a row id, none twice. Null when one
// is not an id, or when there are none or more than a page holds.
export const MAX_ROWS_ASKED = Math.max(...PAGE_SIZES);

export function parseRowIds(value: unknown): number[] | null {
  const raw: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const ids = raw.map(parseRowIdParam);
  if (ids.length === 0 || ids.length > MAX_ROWS_ASKED || ids.some((id) => id === undefined)) return null;
  return [...new Set(ids as number[])];
}
