import { BadRequestException, Injectable } from '@nestjs/common';
import { BrokerScope } from '../common/broker-scope.service';
import type { Dialect } from '../database/dialect';
import { SqlService, type SqlReader } from '../database/sql.service';
import { pageWindow, SEARCH_MAX_LENGTH, type McaQuery, type PageCursor, type PageWindow } from './mca-query';
import {
  canSeek,
  countColumn,
  cursorRowStatement,
  seekStatements,
  type CursorRow,
  pageStatement,
  SEARCH_MATCH_CAP,
  searchCountsStatement,
  searchPageStatement,
  statusCountsStatement,
  type SqlStatement,
} from './tenant-list.sql';
import { TENANT_STATUSES, type TenantStatus } from './tenant-status';

export type StatusCounts = Record<TenantStatus, number>;

export interface TenantRow {
  id: number;
  name: string;
  domain: string;
  microsoftTenantId: string;
  status: TenantStatus;
  acceptedAt: Date | null;
  removedAt: Date | null;
}

export interface McaData {
  query: McaQuery; // with the page actually shown
  window: PageWindow;
  total: number; // rows matching the filter and the search
  chipCounts: StatusCounts; // per status, for the search if there is one
  capped: boolean; // the search reached SEARCH_MATCH_CAP: the page shows the first matches only
  current: StatusCounts; // tenants still in Partner Center, for the summary
  removed: number;
  rows: TenantRow[];
}

interface RawTenant {
  id: number;
  name: string;
  domain: string;
  microsoft_tenant_id: string;
  status: TenantStatus;
  accepted_at: Date | string | null;
  removed_at: Date | string | null;
}

interface RawCount {
  status: string;
  removed: boolean | number;
  tenant_count: number | string;
}

type RawSearchCounts = Record<string, number | string>; // PostgreSQL returns count(*) as text

export const zeroCounts = (): StatusCounts => ({ attested: 0, direct: 0, pending: 0, none: 0 });
export const sumCounts = (counts: StatusCounts): number =>
  TENANT_STATUSES.reduce((sum, status) => sum + counts[status], 0);

const isStatus = (value: string): value is TenantStatus => (TENANT_STATUSES as readonly string[]).includes(value);

// The MCA page's data in at most three indexed statements, whatever the filter, search, sort or page. Shared by
// McaService and the bench's bare server, so that both do exactly the same work.
export async function loadMcaData(
  reader: SqlReader,
  brokerId: number,
  query: McaQuery,
  cursor: PageCursor | null = null,
): Promise<McaData> {
  if (query.q.length > SEARCH_MAX_LENGTH)
    throw new BadRequestException(`Search for at most ${SEARCH_MAX_LENGTH} characters.`);
  const { dialect } = reader;
  const run = <T>(statement: SqlStatement) => reader.run<T>(statement.sql, statement.params);

  const all = zeroCounts();
  const current = zeroCounts();
  let removed = 0;
  for (const row of await run<RawCount>(statusCountsStatement(dialect, brokerId))) {
    if (!isStatus(row.status)) continue;
    const count = Number(row.tenant_count);
    all[row.status] += count;
    if (Number(row.removed)) removed += count;
    else current[row.status] += count;
  }

  // A search first tries its page and its counts in one statement: a page with rows is the page asked for. An
  // empty one (a page past the end, no match) is read again once the counts are known.
  if (query.q !== '') {
    const offset = (Math.max(1, query.page) - 1) * query.size;
    const raw = await run<RawTenant & RawSearchCounts>(
      searchPageStatement(dialect, brokerId, query, { limit: query.size, queryOffset: offset }),
    );
    if (raw.length > 0) return withRows(dialect, query, countsOf(raw[0]), current, removed, raw);
  }
  const chipCounts =
    query.q === '' ? all : countsOf((await run<RawSearchCounts>(searchCountsStatement(dialect, brokerId, query.q)))[0]);
  const window = pageWindow(totalOf(query, chipCounts), query.page, query.size);
  const sought =
    cursor && window.limit > 0 && canSeek(query)
      ? await seek(run, dialect, brokerId, query, cursor, window.limit)
      : null;
  if (sought) return withRows(dialect, query, chipCounts, current, removed, sought);
  const raw = window.limit > 0 ? await run<RawTenant>(pageStatement(dialect, brokerId, query, window)) : [];
  if (window.reverse) raw.reverse();
  return withRows(dialect, query, chipCounts, current, removed, raw);
}

// The page next to the cursor's row, or null when it cannot be read that way (the row is gone, or the tenants
// changed so that the page would not fill as the counts say): the page is then read by its number.
type RunStatement = <T>(statement: SqlStatement) => Promise<T[]>;

async function seek(
  run: RunStatement,
  dialect: Dialect,
  brokerId: number,
  query: McaQuery,
  cursor: PageCursor,
  limit: number,
): Promise<RawTenant[] | null> {
  const [from] = await run<CursorRow>(cursorRowStatement(dialect, brokerId, cursor.id));
  if (!from) return null;
  const rows: RawTenant[] = [];
  for (const statement of seekStatements(dialect, brokerId, query, from, cursor.direction, limit)) {
    if (rows.length < limit) rows.push(...(await run<RawTenant>(statement)));
  }
  if (rows.length < limit) return null;
  const page = rows.slice(0, limit);
  return cursor.direction === 'before' ? page.reverse() : page;
}

const totalOf = (query: McaQuery, chipCounts: StatusCounts): number =>
  query.status === 'all' ? sumCounts(chipCounts) : chipCounts[query.status];

function withRows(
  dialect: Dialect,
  query: McaQuery,
  chipCounts: StatusCounts,
  current: StatusCounts,
  removed: number,
  raw: RawTenant[],
): McaData {
  const total = totalOf(query, chipCounts);
  const window = pageWindow(total, query.page, query.size);
  const capped = query.q !== '' && sumCounts(chipCounts) >= SEARCH_MATCH_CAP;
  return {
    query: { ...query, page: window.page },
    window,
    total,
    chipCounts,
    capped,
    current,
    removed,
    rows: raw.map((row) => toTenantRow(dialect, row)),
  };
}

function countsOf(row: RawSearchCounts): StatusCounts {
  const counts = zeroCounts();
  for (const status of TENANT_STATUSES) counts[status] = Number(row[countColumn(status)]);
  return counts;
}

@Injectable()
export class McaService {
  constructor(
    private readonly sql: SqlService,
    private readonly scope: BrokerScope,
  ) {}

  load(query: McaQuery, cursor: PageCursor | null = null): Promise<McaData> {
    return loadMcaData(this.sql, this.scope.brokerId(), query, cursor);
  }
}

function toTenantRow(dialect: Dialect, raw: RawTenant): TenantRow {
  return {
    id: Number(raw.id),
    name: raw.name,
    domain: raw.domain,
    microsoftTenantId: raw.microsoft_tenant_id,
    status: raw.status,
    acceptedAt: dialect.decodeTimestamp(raw.accepted_at),
    removedAt: dialect.decodeTimestamp(raw.removed_at),
  };
}
