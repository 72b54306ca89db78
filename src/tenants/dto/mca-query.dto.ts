import { Transform, type TransformFnParams } from 'class-transformer';
import { Allow } from 'class-validator';
import {
  DEFAULT_DIRECTION,
  DEFAULT_PAGE_SIZE,
  parseDirParam,
  parsePageParam,
  parseRowIdParam,
  parseSearchParam,
  parseSizeParam,
  parseSortParam,
  parseStatusParam,
  type McaQuery,
  type PageCursor,
  type SortDirection,
  type SortKey,
  type StatusFilter,
} from '../mca-query';

const field = (parse: (value: unknown) => unknown) => Transform(({ value }: TransformFnParams) => parse(value));

// The page's query string as a class, for callers that go through class-transformer (the bench's bare server).
// The page itself reads it with parseMcaQuery (../mca-query.ts), whose field rules these are.
export class McaQueryDto {
  @Allow()
  @field(parseStatusParam)
  status: StatusFilter = 'all';

  @Allow()
  @field(parseSearchParam)
  q = '';

  @Allow()
  @field(parseSortParam)
  sort: SortKey = 'name';

  @Allow()
  @field(parseDirParam)
  dir?: SortDirection;

  @Allow()
  @field(parsePageParam)
  page = 1;

  @Allow()
  @field(parseSizeParam)
  size?: number;

  @Allow()
  @field(parseRowIdParam)
  after?: number;

  @Allow()
  @field(parseRowIdParam)
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
