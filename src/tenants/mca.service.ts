import { BadRequestException, Injectable } from '@nestjs/common';
import { NotFoundInBrokerError } from '../common/domain-errors';
import { BrokerScope } from '../common/broker-scope.service';
import type { Dialect } from '../database/dialect';
import { SqlService, type SqlReader } from '../database/sql.service';
import {
  isAttestationFilter,
  pageWindow,
  SEARCH_MAX_LENGTH,
  type AttestationFilter,
  type McaQuery,
  type PageCursor,
  type PageWindow,
} from './mca-query';
import {
  attestationCountsStatement,
  canSeek,
  countColumn,
  cursorRowStatement,
  seekStatements,
  type CursorRow,
  pageStatement,
  rowsStatement,
  SEARCH_MATCH_CAP,
  searchCountsStatement,
  searchPageStatement,
  statusCountsStatement,
  type SqlStatement,
} from './tenant-list.sql';
import { TENANT_STATUSES, type TenantStatus } from './tenant-status';

export type StatusCounts = Record<TenantStatus, number>;
export type AttestationCounts = Record<AttestationFilter, number>;

export interface TenantRow {
  id: number;
  name: string;
  domain: string;
  microsoftTenantId: string;
  status: TenantStatus;
  acceptedAt: Date | null;
  removedAt: Date | null;
  attestationState: string | null; // the part of the wait a pending tenant's attestation is in
  directlySigned: boolean;
  partnerAccepted: boolean;
  attestedOutside: boolean; // the partner-confirmed agreement was made outside this app
  agreementSignatory: string | null;
  unconfirmed: string | null; // why Partner Center could not confirm the acceptance at the last sync
  reacceptanceNeeded: boolean;
}

export interface McaData {
  query: McaQuery; // with the page actually shown
  window: PageWindow;
  total: number; // rows matching the filter and the search
  chipCounts: StatusCounts; // per status, for the search if there is one
  attestationCounts: AttestationCounts; // per attestation filter: the broker's, or the search's when it filters by one
  capped: boolean; // the search reached SEARCH_MATCH_CAP: the page shows the first matches only
  current: StatusCounts; // tenants still in Partner Center, for the summary
  removed: number;
  reacceptance: number; // the broker's accepted tenants that need to accept again (never removed ones)
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
  attestation_state?: string | null;
  directly_signed: boolean | number;
  partner_accepted: boolean | number;
  attested_outside: boolean | number;
  agreement_signatory: string | null;
  acceptance_unconfirmed: string | null;
  reacceptance: string | null;
}

interface RawCount {
  status: string;
  removed: boolean | number;
  tenant_count: number | string;
}

type RawSearchCounts = Record<string, number | string>; // PostgreSQL returns count(*) as text

type RunStatement = <T>(statement: SqlStatement) => Promise<T[]>;

// The broker's figures for the summary, whatever the filter and the search.
type BrokerTotals = Pick<McaData, 'current' | 'removed' | 'reacceptance'>;

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
  const run = runner(reader);
  const { all, brokerAttestationCounts, totals } = await readBrokerCounts(run, dialect, brokerId);

  // A search first tries its page and its counts in one statement: a page with rows is the page asked for. An
  // empty one (a page past the end, no match) is read again once the counts are known.
  if (query.q !== '') {
    const offset = (Math.max(1, query.page) - 1) * query.size;
    const raw = await run<RawTenant & RawSearchCounts>(
      searchPageStatement(dialect, brokerId, query, { limit: query.size, queryOffset: offset }),
    );
    if (raw.length > 0)
      return withRows(
        dialect,
        query,
        countsOf(raw[0]),
        attestationCountsOf(raw[0], brokerAttestationCounts),
        totals,
        raw,
      );
  }
  const searchCounts =
    query.q === ''
      ? null
      : (await run<RawSearchCounts>(searchCountsStatement(dialect, brokerId, query.q, query.status)))[0];
  const chipCounts = searchCounts ? countsOf(searchCounts) : all;
  const attestationCounts = searchCounts
    ? attestationCountsOf(searchCounts, brokerAttestationCounts)
    : brokerAttestationCounts;
  const window = pageWindow(totalOf(query, chipCounts, attestationCounts), query.page, query.size);
  const sought =
    cursor && window.limit > 0 && canSeek(query)
      ? await seek(run, dialect, brokerId, query, cursor, window.limit)
      : null;
  if (sought) return withRows(dialect, query, chipCounts, attestationCounts, totals, sought);
  const raw = window.limit > 0 ? await run<RawTenant>(pageStatement(dialect, brokerId, query, window)) : [];
  if (window.reverse) raw.reverse();
  return withRows(dialect, query, chipCounts, attestationCounts, totals, raw);
}

const runner =
  (reader: SqlReader): RunStatement =>
  <T>(statement: SqlStatement) =>
    reader.run<T>(statement.sql, statement.params);

// The broker's counts, whatever the filter and the search: per status (removed tenants too), and per mark.
async function readBrokerCounts(run: RunStatement, dialect: Dialect, brokerId: number) {
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

  const brokerAttestationCounts = zeroAttestationCounts();
  for (const row of await run<{ filter: string; tenant_count: number | string }>(
    attestationCountsStatement(dialect, brokerId),
  )) {
    if (isAttestationFilter(row.filter as AttestationFilter))
      brokerAttestationCounts[row.filter as AttestationFilter] = Number(row.tenant_count);
  }
  const totals: BrokerTotals = { current, removed, reacceptance: brokerAttestationCounts.reaccept };
  return { all, brokerAttestationCounts, totals };
}

// Rows of the page read again by id, with the summary's figures: what the rows that wait are refreshed with.
export interface McaRows extends BrokerTotals {
  rows: TenantRow[];
}

export async function loadMcaRows(reader: SqlReader, brokerId: number, ids: readonly number[]): Promise<McaRows> {
  const run = runner(reader);
  const raw = await run<RawTenant>(rowsStatement(reader.dialect, brokerId, ids));
  const { totals } = await readBrokerCounts(run, reader.dialect, brokerId);
  return { ...totals, rows: raw.map((row) => toTenantRow(reader.dialect, row)) };
}

// The page next to the cursor's row, or null when it cannot be read that way (the row is gone, or the tenants
// changed so that the page would not fill as the counts say): the page is then read by its number.
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

const totalOf = (query: McaQuery, chipCounts: StatusCounts, attestationCounts: AttestationCounts): number => {
  if (query.status === 'all') return sumCounts(chipCounts);
  return isAttestationFilter(query.status) ? attestationCounts[query.status] : chipCounts[query.status];
};

export const zeroAttestationCounts = (): AttestationCounts => ({ ready: 0, expired: 0, reaccept: 0 });

function attestationCountsOf(row: RawSearchCounts, broker: AttestationCounts): AttestationCounts {
  return row.ready_count === undefined
    ? broker
    : { ready: Number(row.ready_count), expired: Number(row.expired_count), reaccept: Number(row.reaccept_count) };
}

function withRows(
  dialect: Dialect,
  query: McaQuery,
  chipCounts: StatusCounts,
  attestationCounts: AttestationCounts,
  totals: BrokerTotals,
  raw: RawTenant[],
): McaData {
  const total = totalOf(query, chipCounts, attestationCounts);
  const window = pageWindow(total, query.page, query.size);
  const capped = query.q !== '' && sumCounts(chipCounts) >= SEARCH_MATCH_CAP;
  return {
    query: { ...query, page: window.page },
    window,
    total,
    chipCounts,
    attestationCounts,
    capped,
    ...totals,
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

  // Ids of another broker name no row here.
  async loadRows(ids: readonly number[]): Promise<McaRows> {
    const rows = await loadMcaRows(this.sql, this.scope.brokerId(), ids);
    if (rows.rows.length === 0) throw new NotFoundInBrokerError('None of these tenants');
    return rows;
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
    attestationState: raw.attestation_state ?? null,
    directlySigned: Boolean(Number(raw.directly_signed)),
    partnerAccepted: Boolean(Number(raw.partner_accepted)),
    attestedOutside: Boolean(Number(raw.attested_outside)),
    agreementSignatory: raw.agreement_signatory ?? null,
    unconfirmed: raw.acceptance_unconfirmed ?? null,
    reacceptanceNeeded: raw.reacceptance !== null && raw.reacceptance !== undefined,
  };
}
