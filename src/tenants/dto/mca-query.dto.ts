import { Transform, type TransformFnParams } from 'class-transformer';
import { Allow } from 'class-validator';
import {
  DEFAULT_DIRECTION,
  DEFAULT_PAGE_SIZE,
  PAGE_SIZES,
  SORT_DIRECTIONS,
  SORT_KEYS,
  STATUS_FILTERS,
  type McaQuery,
  type PageCursor,
  type SortDirection,
  type SortKey,
  type StatusFilter,
} from '../mca-query';

// A repeated parameter (?status=a&status=b) arrives as an array: the first one counts.
const single = (value: unknown): string | undefined => {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
};

const oneOf = <T extends string | number>(
  allowed: readonly T[],
  fallback: T | undefined,
  parse: (raw: string) => T | string = (raw) => raw,
) =>
  Transform(({ value }: TransformFnParams) => {
    const raw = single(value);
    const parsed = raw === undefined ? undefined : parse(raw);
    return allowed.includes(parsed as T) ? parsed : fallback;
  });

// Ids are 32-bit integers on both databases: a larger one names no row (and PostgreSQL refuses to compare it).
const MAX_ROW_ID = 2_147_483_647;

const rowId = ({ value }: TransformFnParams): number | undefined => {
  const raw = single(value);
  return raw !== undefined && /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= MAX_ROW_ID ? Number(raw) : undefined;
};

// Control characters cannot be typed into the search box and no tenant field holds one; PostgreSQL refuses a NUL
// in any text and FTS5 reads it as the end of the term.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

// The page's query string. A value the page never links to (an old bookmark, a hand-edited URL) falls back to
// its default instead of failing; only a search too long to be typed is refused (see McaService).
export class McaQueryDto {
  @Allow()
  @oneOf(STATUS_FILTERS, 'all')
  status: StatusFilter = 'all';

  @Allow()
  @Transform(({ value }: TransformFnParams) => (single(value) ?? '').replace(CONTROL_CHARACTERS, '').trim())
  q = '';

  @Allow()
  @oneOf(SORT_KEYS, 'name')
  sort: SortKey = 'name';

  // Unset means the sort's own default direction.
  @Allow()
  @oneOf(SORT_DIRECTIONS, undefined)
  dir?: SortDirection;

  @Allow()
  @Transform(({ value }: TransformFnParams) => {
    const raw = single(value);
    return raw !== undefined && /^\d{1,7}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
  })
  page = 1;

  @Allow()
  @oneOf<number>(PAGE_SIZES, undefined, Number)
  size?: number;

  @Allow()
  @Transform(rowId)
  after?: number;

  @Allow()
  @Transform(rowId)
  before?: number;
}

export const toMcaQuery = (dto: McaQueryDto): McaQuery => ({
  status: dto.status,
  q: dto.q,
  sort: dto.sort,
  dir: dto.dir ?? DEFAULT_DIRECTION[dto.sort],
  page: dto.page,
  size: dto.size ?? DEFAULT_PAGE_SIZE,
});

export const toPageCursor = (dto: McaQueryDto): PageCursor | null =>
  dto.after !== undefined
    ? { direction: 'after', id: dto.after }
    : dto.before !== undefined
      ? { direction: 'before', id: dto.before }
      : null;
