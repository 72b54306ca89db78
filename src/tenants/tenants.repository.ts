import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import type { Dialect } from '../database/dialect';
import { SqlService, type SqlReader, type Tx } from '../database/sql.service';
import {
  ATTESTATION_FILTERS,
  isAttestationFilter,
  type AttestationFilter,
  type McaQuery,
  type PageCursor,
  type PageWindow,
  type StatusFilter,
} from './mca-query';
import { ANCHOR_EVERY, PageAnchors, type Anchor, type AnchoredList, type AnchorKey } from './page-anchors';
import { REACCEPTANCE_NEEDED } from './tenant-acceptance';
import type { KnownTenant, TenantFields } from './tenant-merge';
import { TENANT_STATUSES, type TenantStatus } from './tenant-status';
import { Tenant } from './tenant.entity';

// All the SQL of tenants, tenant_status_counts and the search index (tenants_search on SQLite, search_text on
// PostgreSQL): the MCA page's statements, written out so that each query is one indexed statement (see DESIGN.md,
// "Scale") and so that the bench's bare server runs exactly the same statements; the report's keyset read with the
// same filter and search; and the writer's reads and writes. Every statement is confined to one broker: the caller
// passes BrokerScope.brokerId() (or the job's broker).

// The status sort's order (those needing attention first). The index ix_tenants_broker_rank_name is on this very
// expression (migration McaPage keeps its own copy); the query plan test proves the index serves it.
export const STATUS_RANK_SQL = "(CASE status WHEN 'none' THEN 0 WHEN 'pending' THEN 1 WHEN 'direct' THEN 2 ELSE 3 END)";

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

export const COLUMNS =
  't.id, t.name, t.domain, t.microsoft_tenant_id, t.status, t.accepted_at, t.removed_at, t.attestation_state, ' +
  't.directly_signed, t.partner_accepted, t.attested_outside, t.agreement_signatory, t.acceptance_unconfirmed, ' +
  't.reacceptance';

// The mark each filter of a row stands for: the attestation's part of the wait (tenants.attestation_state, kept by
// the attestations), or re-acceptance needed (tenants.reacceptance). Each has an index (broker_id, column, name).
export const FILTER_MARKS: Record<AttestationFilter, { column: 'attestation_state' | 'reacceptance'; value: string }> =
  {
    ready: { column: 'attestation_state', value: 'accepted' },
    expired: { column: 'attestation_state', value: 'expired' },
    reaccept: { column: 'reacceptance', value: REACCEPTANCE_NEEDED },
  };

// Shorter terms have no trigram: they match the start of the name instead.
export const TRIGRAM_MIN_LENGTH = 3;

// A statement's parameters, each added where its placeholder goes (SQLite's are positional).
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}

  readonly add = (value: unknown): string => {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  };
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
// SQLite's lower() folds ASCII only; folding the term the same way keeps "É" matching "É".
const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

// A search reads at most this many matches, the first found: counting and ordering every match of a common term
// costs a few milliseconds per request at 100,000 tenants (DESIGN.md, "Scale"), and nobody pages through more
// (eight pages of 25) rather than narrow the search. Each match read costs a row: a term of 1 in 750 names reads 133
// at 100,000 tenants and, with a cap of 1,000, 1,000 at 1,000,000 (2.4 times the CPU per page); with 200 both read
// about as many. The page says so when a search reaches the cap; a report holds every match.
export const SEARCH_MATCH_CAP = 200;

const isShort = (term: string): boolean => [...term].length < TRIGRAM_MIN_LENGTH;

// What the list filters, counts and orders by: the rest of a row is read for the rows of the page only.
const KEYS = 't.id, t.name, t.status, t.accepted_at';
// With a mark's filter the matches carry the marks too (the short search then reads the table).
const keysFor = (status: StatusFilter): string =>
  isAttestationFilter(status) ? `${KEYS}, t.attestation_state, t.reacceptance` : KEYS;

// What a search term is found in on PostgreSQL: search_text, a generated column holding the name, the domain and
// the tenant id lowered, one U+001F between them (migration SearchByBroker); its trigram index
// ix_tenants_broker_search_trgm has broker_id as its first key, so that one broker's search reads that broker's
// entries only. The sync keeps control characters out of the columns and the query's DTO out of the term, so a
// term is found within one column, as when each column was searched alone; lower() on both sides is what ILIKE
// did, without lowering every row it tests.
export const SEARCH_TEXT_SQL = 't.search_text';

// The broker's word in the FTS5 index (migration SearchByBroker writes the same): its id between two U+E000, a
// private-use character, so that its trigrams are found in the words of a broker or two, never in a tenant's text.
export const brokerToken = (brokerId: number): string => `\u{E000}${brokerId}\u{E000}`;

const ftsPhrase = (text: string): string => `"${text.replace(/"/g, '""')}"`;

// The SELECT of the first SEARCH_MATCH_CAP matches: the counts, the filter and the order apply to these.
// A term of three characters or more is found anywhere in the name, the domain or the tenant id, through a search
// index: on SQLite the FTS5 matches within the broker's span of ids are read first, in rowid order (CROSS JOIN
// fixes the order: without statistics the planner would rather walk a whole index and probe each row; see
// ftsMatches); on PostgreSQL the planner weighs the trigram index's bitmap (a term of few matches) against walking
// the broker's rows in id order until the cap (a term found in most rows), reading only the ids (ix_tenants_broker_id
// holds search_text, migration SearchIdsByBroker) before the matches' rows, from the broker's first id on. Where one
// broker holds most of the table the planner walks the primary key in id order instead (it prices the broker's rows
// as spread evenly): from the table's first id it read every earlier broker's rows before the broker's (a common
// term at 1,000,000 + 100,000 tenants: 50 ms instead of 3); from the broker's first id, its span only. The first id
// is read with the broker as `= ANY (ARRAY[...])` and ordered by (broker_id, id), an order only ix_tenants_broker_id
// yields (with `broker_id = $1` the planner drops the constant from the order, and min(id) walked the primary key
// the same way).
// A shorter term matches the start of the name, read in the order of an index that holds the keys, so that neither
// database touches the table for it.
// (Parameters are added in the order they appear in the text: SQLite's are positional.)
function firstMatches(dialect: Dialect, brokerId: number, term: string, params: Params, columns: string): string {
  if (isShort(term)) {
    const broker = params.add(brokerId);
    const lowerName = dialect.name === 'postgres' ? 'lower(t.name) COLLATE "C"' : 'lower(t.name)';
    return `SELECT ${columns} FROM tenants AS t WHERE t.broker_id = ${broker} AND ${searchCondition(dialect, brokerId, term, params.add)} ORDER BY ${lowerName}, t.status, t.name, t.accepted_at, t.id LIMIT ${SEARCH_MATCH_CAP}`;
  }
  if (dialect.name === 'sqlite') {
    const matches = ftsMatches(brokerId, term, params.add);
    return `SELECT ${columns} FROM (${matches}) AS m CROSS JOIN tenants AS t ON t.id = m.id WHERE t.broker_id = ${params.add(brokerId)} ORDER BY m.id LIMIT ${SEARCH_MATCH_CAP}`;
  }
  const broker = params.add(brokerId);
  const first = `(SELECT s.id FROM tenants AS s WHERE s.broker_id = ANY (ARRAY[${broker}::integer]) ORDER BY s.broker_id, s.id LIMIT 1)`;
  const ids = `SELECT t.id FROM tenants AS t WHERE t.broker_id = ${broker} AND t.id >= ${first} AND ${searchCondition(dialect, brokerId, term, params.add)} ORDER BY t.id LIMIT ${SEARCH_MATCH_CAP}`;
  return `SELECT ${columns} FROM tenants AS t WHERE t.id = ANY (ARRAY(${ids}))`;
}

type AddParam = (value: unknown) => string;

// SQLite: the rowids of one broker's tenants that may hold the term (the caller reads each row, and keeps those of
// the broker), in rowid order. FTS5 steps through the doclist of every token of the query between the first rowid and
// the last match read; the broker's word has an entry in every one of the broker's rows, so ANDing it cost as much
// as reading the broker's whole index (a rare term at 1,000,000 tenants: 7.7 ms of the statement's 10). The term
// alone, read between the broker's first and last id (FTS5 skips to the first; a REAL bound it ignores, hence the
// CAST), reads the term's entries only. Where the broker's ids are sparse in that span (another broker's tenants
// written between), the term alone would read the other broker's matches too: the broker's word is then kept.
function ftsMatches(brokerId: number, term: string, add: AddParam, afterId: number | null = null): string {
  // Each a function: SQLite's parameters are positional, so each use in the text adds its own.
  const first = () => `(SELECT min(id) FROM tenants WHERE broker_id = ${add(brokerId)})`;
  const last = () => `(SELECT max(id) FROM tenants WHERE broker_id = ${add(brokerId)})`;
  const tenants = () => `(SELECT sum(tenant_count) FROM tenant_status_counts WHERE broker_id = ${add(brokerId)})`;
  const inTerm = `{name domain microsoft_tenant_id} : ${ftsPhrase(term)}`;
  const match = `CASE WHEN ${tenants()} * 2 > ${last()} - ${first()} THEN ${add(inTerm)} ELSE ${add(`broker : ${ftsPhrase(brokerToken(brokerId))} AND ${inTerm}`)} END`;
  const from = afterId !== null ? `max(${add(afterId + 1)}, ${first()})` : first();
  return `SELECT rowid AS id FROM tenants_search WHERE tenants_search MATCH ${match} AND rowid >= CAST(${from} AS INTEGER) AND rowid <= CAST(${last()} AS INTEGER)`;
}

// The one rule of the search, for the page's first matches and the report's keyset read (each adds its parameters
// through `add` in the order they appear in the text): a term of three characters or more anywhere in the name, the
// domain or the tenant id (the FTS5 trigram index on SQLite, from `afterId` on; pg_trgm on search_text on
// PostgreSQL), a shorter one at the start of the name. On PostgreSQL in the "C" collation, the collation of
// ix_tenants_broker_lower_name: LIKE 'ab%' is then a range of that index whatever the database's collation. (The
// page reads SQLite's matches through a join of its own: see firstMatches.)
function searchCondition(
  dialect: Dialect,
  brokerId: number,
  term: string,
  add: AddParam,
  afterId: number | null = null,
): string {
  if (isShort(term)) {
    if (dialect.name === 'postgres')
      return `lower(t.name) COLLATE "C" LIKE ${add(`${escapeLike(term.toLowerCase())}%`)}`;
    const from = asciiLower(term);
    return `lower(t.name) >= ${add(from)} AND lower(t.name) < ${add(`${from}\u{10FFFF}`)}`;
  }
  if (dialect.name === 'postgres') return `${SEARCH_TEXT_SQL} LIKE lower(${add(`%${escapeLike(term)}%`)})`;
  return `t.id IN (${ftsMatches(brokerId, term, add, afterId)})`;
}

// The condition of a status filter (the page's and the report's).
function statusCondition(filter: Exclude<StatusFilter, 'all'>, params: Params): string {
  if (!isAttestationFilter(filter)) return `t.status = ${params.add(filter)}`;
  const mark = FILTER_MARKS[filter];
  return `t.${mark.column} = ${params.add(mark.value)}`;
}

// FROM and WHERE of a page read by its number: the broker or the search's first matches, then the status.
function filtered(dialect: Dialect, brokerId: number, filter: Pick<McaQuery, 'status' | 'q'>, params: Params): string {
  const from =
    filter.q === '' ? 'tenants AS t' : `(${firstMatches(dialect, brokerId, filter.q, params, COLUMNS)}) AS t`;
  const conditions = filter.q === '' ? [`t.broker_id = ${params.add(brokerId)}`] : [];
  if (filter.status !== 'all') conditions.push(statusCondition(filter.status, params));
  return conditions.length > 0 ? `${from} WHERE ${conditions.join(' AND ')}` : from;
}

// Each order is served by one index read in either direction: (broker_id, name), (broker_id, status, name),
// (broker_id, rank, name), (broker_id, [status,] accepted_at, name). A tenant without a date sorts as the oldest.
function orderBy(dialect: Dialect, query: Pick<McaQuery, 'status' | 'sort' | 'dir'>, reverse: boolean): string {
  const descending = (query.dir === 'desc') !== reverse;
  const dir = descending ? 'DESC' : 'ASC';
  const keys: string[] = [];
  if (query.sort === 'status' && query.status === 'all') keys.push(STATUS_RANK_SQL);
  if (query.sort === 'date')
    keys.push(
      dialect.name === 'postgres'
        ? `t.accepted_at ${dir} NULLS ${descending ? 'LAST' : 'FIRST'}`
        : `t.accepted_at ${dir}`,
    );
  return [
    ...keys.map((key) => (key.startsWith('t.accepted_at') ? key : `${key} ${dir}`)),
    `t.name ${dir}`,
    `t.id ${dir}`,
  ].join(', ');
}

// A page read by its number. Without a search, a deferred join: the page's ids are read from the order's index
// alone (on PostgreSQL each index ends with id for this), stepping over the OFFSET's entries without reading the
// table, and only the page's rows are then read whole (DESIGN.md, "Scale": a deep page 11-16 ms instead of 40-80).
// A search's matches are capped, so its page is read from them directly.
export function pageStatement(
  dialect: Dialect,
  brokerId: number,
  query: McaQuery,
  window: { limit: number; queryOffset: number; reverse: boolean },
): SqlStatement {
  const params = new Params(dialect);
  const order = orderBy(dialect, query, window.reverse);
  const from = filtered(dialect, brokerId, query, params);
  const paging = `ORDER BY ${order} LIMIT ${params.add(window.limit)} OFFSET ${params.add(window.queryOffset)}`;
  const sql =
    query.q === ''
      ? `SELECT ${COLUMNS} FROM (SELECT t.id FROM ${from} ${paging}) AS p JOIN tenants AS t ON t.id = p.id ORDER BY ${order}`
      : `SELECT ${COLUMNS} FROM ${from} ${paging}`;
  return { sql, params: params.values };
}

// Counts of every status for a search (the chips count what the search found), in one pass without sorting the
// matches by status; without a search the counts come from tenant_status_counts instead.
export const countColumn = (status: TenantStatus): string => `${status}_count`;

const statusCounts = (status: StatusFilter): string =>
  [
    ...TENANT_STATUSES.map((s) => `count(*) FILTER (WHERE t.status = '${s}') AS ${countColumn(s)}`),
    ...(isAttestationFilter(status)
      ? Object.entries(FILTER_MARKS).map(
          ([filter, mark]) => `count(*) FILTER (WHERE t.${mark.column} = '${mark.value}') AS ${filter}_count`,
        )
      : []),
  ].join(', ');

export function searchCountsStatement(
  dialect: Dialect,
  brokerId: number,
  q: string,
  status: StatusFilter = 'all',
): SqlStatement {
  const params = new Params(dialect);
  return {
    sql: `SELECT ${statusCounts(status)} FROM (${firstMatches(dialect, brokerId, q, params, keysFor(status))}) AS t`,
    params: params.values,
  };
}

// A search in one statement: its first matches are read once, then counted by status, and filtered, ordered and
// paged; only the page's rows are read whole, each carrying the counts. A page with no row carries no counts: the
// caller then asks searchCountsStatement.
export function searchPageStatement(
  dialect: Dialect,
  brokerId: number,
  query: McaQuery,
  window: { limit: number; queryOffset: number },
): SqlStatement {
  const params = new Params(dialect);
  const matches = firstMatches(dialect, brokerId, query.q, params, keysFor(query.status));
  const status = query.status === 'all' ? '' : ` WHERE ${statusCondition(query.status, params)}`;
  const order = orderBy(dialect, query, false);
  const page = `SELECT t.id FROM matches AS t${status} ORDER BY ${order} LIMIT ${params.add(window.limit)} OFFSET ${params.add(window.queryOffset)}`;
  const sql =
    `WITH matches AS MATERIALIZED (${matches}) SELECT ${COLUMNS}, c.* FROM (${page}) AS p JOIN tenants AS t ON t.id = p.id ` +
    `CROSS JOIN (SELECT ${statusCounts(query.status)} FROM matches AS t) AS c ORDER BY ${order}`;
  return { sql, params: params.values };
}

// Keyset paging serves the list without a search in the name and the status orders (every key indexed, none NULL).
export const canSeek = (query: Pick<McaQuery, 'q' | 'sort' | 'status'>): boolean =>
  query.q === '' && query.sort !== 'date' && !isAttestationFilter(query.status);

export interface CursorRow {
  id: number;
  name: string;
  status: TenantStatus;
  status_rank: number;
}

export function cursorRowStatement(dialect: Dialect, brokerId: number, id: number): SqlStatement {
  const params = new Params(dialect);
  return {
    sql: `SELECT t.id, t.name, t.status, ${STATUS_RANK_SQL} AS status_rank FROM tenants AS t WHERE t.id = ${params.add(id)} AND t.broker_id = ${params.add(brokerId)}`,
    params: params.values,
  };
}

// The rows after (or before) the cursor's row in the page's order, to be read in turn until the page is full:
// (name, id) compared as a row value starts the read at that row in the index. In the status order the index's
// first key is an expression, which a row value cannot start at: the rest of the cursor's status is read from the
// (broker, status, name) index, then the statuses after it.
export function seekStatements(
  dialect: Dialect,
  brokerId: number,
  query: McaQuery,
  from: CursorRow,
  direction: PageCursor['direction'],
  limit: number,
): SqlStatement[] {
  const backwards = direction === 'before';
  const descending = (query.dir === 'desc') !== backwards;
  const [op, dir] = descending ? ['<', 'DESC'] : ['>', 'ASC'];
  const sameStatus = (status: StatusFilter): SqlStatement => {
    const params = new Params(dialect);
    const conditions = [`t.broker_id = ${params.add(brokerId)}`];
    if (status !== 'all') conditions.push(statusCondition(status, params));
    conditions.push(`(t.name, t.id) ${op} (${params.add(from.name)}, ${params.add(from.id)})`);
    return {
      sql: `SELECT ${COLUMNS} FROM tenants AS t WHERE ${conditions.join(' AND ')} ORDER BY t.name ${dir}, t.id ${dir} LIMIT ${params.add(limit)}`,
      params: params.values,
    };
  };
  if (query.sort !== 'status' || query.status !== 'all') return [sameStatus(query.status)];
  const params = new Params(dialect);
  const later = `SELECT ${COLUMNS} FROM tenants AS t WHERE t.broker_id = ${params.add(brokerId)} AND ${STATUS_RANK_SQL} ${op} ${params.add(Number(from.status_rank))} ORDER BY ${orderBy(dialect, query, backwards)} LIMIT ${params.add(limit)}`;
  return [sameStatus(from.status), { sql: later, params: params.values }];
}

// Rows the page shows, read again by id (the rows that wait refresh themselves): the primary key, within the broker.
export function rowsStatement(dialect: Dialect, brokerId: number, ids: readonly number[]): SqlStatement {
  const params = new Params(dialect);
  const list = ids.map((id) => params.add(id)).join(', ');
  return {
    sql: `SELECT ${COLUMNS} FROM tenants AS t WHERE t.id IN (${list}) AND t.broker_id = ${params.add(brokerId)} ORDER BY t.id`,
    params: params.values,
  };
}

// The conditions of an anchored list's read: the broker, the status (unless the list holds every status), and the
// anchor's row on (none for the list's start).
function anchoredConditions(brokerId: number, list: AnchoredList, from: AnchorKey | null, params: Params): string {
  const conditions = [`t.broker_id = ${params.add(brokerId)}`];
  if (list !== 'all') conditions.push(`t.status = ${params.add(list)}`);
  if (from) conditions.push(`(t.name, t.id) >= (${params.add(from.name)}, ${params.add(from.id)})`);
  return conditions.join(' AND ');
}

// A step of page anchors: from the anchor `from` (or the list's first row), the row `every` entries further on, and
// so on `anchors` times (fewer at the list's end), each with its number (0: the row it starts from) and the broker's
// list version read in the same statement. Each row is found by an OFFSET over the (broker_id, [status,] name)
// index alone from the one before, as a page's OFFSET would step over them, then read by its id.
export function anchorStepStatement(
  dialect: Dialect,
  brokerId: number,
  list: AnchoredList,
  from: AnchorKey | null,
  anchors: number,
  every: number,
): SqlStatement {
  const params = new Params(dialect);
  const inList = (alias: string) =>
    [
      `${alias}.broker_id = ${params.add(brokerId)}`,
      ...(list === 'all' ? [] : [`${alias}.status = ${params.add(list)}`]),
    ].join(' AND ');
  const first = from
    ? `${params.add(from.id)} AND ${inList('t')}`
    : `(SELECT s.id FROM tenants AS s WHERE ${inList('s')} ORDER BY s.name, s.id LIMIT 1)`;
  const next = `(SELECT s.id FROM tenants AS s WHERE ${inList('s')} AND (s.name, s.id) > (a.name, a.id) ORDER BY s.name, s.id LIMIT 1 OFFSET ${params.add(every - 1)})`;
  const steps = `SELECT a.n + 1, t.name, t.id FROM a JOIN tenants AS t ON t.id = ${next} WHERE a.n < ${params.add(anchors)}`;
  const version = `coalesce((SELECT v.version FROM tenant_list_versions AS v WHERE v.broker_id = ${params.add(brokerId)}), 0)`;
  return {
    sql:
      `WITH RECURSIVE a (n, name, id) AS (SELECT 0, t.name, t.id FROM tenants AS t WHERE t.id = ${first} UNION ALL ${steps}) ` +
      `SELECT ${version} AS version, a.n, a.name, a.id FROM a ORDER BY a.n`,
    params: params.values,
  };
}

// Rows of an anchored list in name order, `skip` entries after the anchor's row (fewer than ANCHOR_EVERY), read from
// the index as a deferred join like pageStatement's. With an anchor the statement checks the list version the
// anchor holds at: none is read when it changed since.
export function anchoredPageStatement(
  dialect: Dialect,
  brokerId: number,
  list: AnchoredList,
  anchor: Anchor,
  skip: number,
  limit: number,
): SqlStatement {
  const params = new Params(dialect);
  const conditions = [anchoredConditions(brokerId, list, anchor.key, params)];
  if (anchor.version !== null)
    conditions.push(
      `coalesce((SELECT v.version FROM tenant_list_versions AS v WHERE v.broker_id = ${params.add(brokerId)}), 0) = ${params.add(anchor.version)}`,
    );
  const order = 't.name, t.id';
  const ids = `SELECT t.id FROM tenants AS t WHERE ${conditions.join(' AND ')} ORDER BY ${order} LIMIT ${params.add(limit)} OFFSET ${params.add(skip)}`;
  return {
    sql: `SELECT ${COLUMNS} FROM (${ids}) AS p JOIN tenants AS t ON t.id = p.id ORDER BY ${order}`,
    params: params.values,
  };
}

// The broker's counts per status, each row with the broker's list version (what the marks' counts are kept by).
export function statusCountsStatement(dialect: Dialect, brokerId: number): SqlStatement {
  const params = new Params(dialect);
  return {
    sql:
      `SELECT status, removed, tenant_count, coalesce((SELECT v.version FROM tenant_list_versions AS v WHERE v.broker_id = ${params.add(brokerId)}), 0) AS list_version ` +
      `FROM tenant_status_counts WHERE broker_id = ${params.add(brokerId)}`,
    params: params.values,
  };
}

// How many tenants each mark's filter holds: a range of the mark's index (broker_id, column, name) per filter.
export function attestationCountsStatement(dialect: Dialect, brokerId: number): SqlStatement {
  const params = new Params(dialect);
  const counts = Object.entries(FILTER_MARKS).map(
    ([filter, mark]) =>
      `SELECT '${filter}' AS filter, count(*) AS tenant_count FROM tenants WHERE broker_id = ${params.add(brokerId)} AND ${mark.column} = ${params.add(mark.value)}`,
  );
  return { sql: counts.join(' UNION ALL '), params: params.values };
}

// Which tenants a report lists: every tenant of the broker, or those the MCA page's status filter and search show
// (all of them, not only the page's first matches).
export interface TenantFilter {
  status: StatusFilter;
  q: string;
}

// The filter's conditions, written against a keyset read; with the status filter's unless `withStatus` is false.
function filterConditions(
  dialect: Dialect,
  brokerId: number,
  filter: TenantFilter,
  afterId: number | null,
  params: Params,
  withStatus = true,
): string {
  const where = [`t.broker_id = ${params.add(brokerId)}`];
  if (afterId !== null) where.push(`t.id > ${params.add(afterId)}`);
  if (withStatus && filter.status !== 'all') where.push(statusCondition(filter.status, params));
  if (filter.q !== '') where.push(searchCondition(dialect, brokerId, filter.q, params.add, afterId));
  return where.join(' AND ');
}

// How many tenants the filter lists. Every tenant, or one status, is the sum the triggers keep in
// tenant_status_counts (removed tenants included, as the report lists them): a read of a few rows, where counting
// the broker's rows took 50-280 ms at 100,000 tenants. A mark's filter counts a range of its index; a search counts
// the search index's matches.
export function filteredCountStatement(dialect: Dialect, brokerId: number, filter: TenantFilter): SqlStatement {
  const params = new Params(dialect);
  if (filter.q === '' && !isAttestationFilter(filter.status)) {
    const broker = params.add(brokerId);
    const status = filter.status === 'all' ? '' : ` AND status = ${params.add(filter.status)}`;
    return {
      sql: `SELECT coalesce(sum(tenant_count), 0) AS n FROM tenant_status_counts WHERE broker_id = ${broker}${status}`,
      params: params.values,
    };
  }
  const where = filterConditions(dialect, brokerId, filter, null, params);
  return { sql: `SELECT count(*) AS n FROM tenants AS t WHERE ${where}`, params: params.values };
}

// In RawFilteredTenant's order: the batch is read as arrays.
const BATCH_COLUMNS =
  't.id, t.name, t.domain, t.microsoft_tenant_id, t.status, t.accepted_at, t.removed_at, t.reacceptance, ' +
  't.attested_outside, t.directly_signed, t.agreement_signatory, t.acceptance_unconfirmed';

// The next batch after a tenant id, in id order: each batch starts where the last ended. Each row says whether the
// filter lists it (`listed`); the next batch starts after the last row, listed or not.
// On PostgreSQL the batch is a window of the broker's ids that hold the term, read from ix_tenants_broker_id alone
// (it holds search_text), and the status filter marks the window's rows: with the filter inside the window's read,
// the planner walked the primary key through every other broker's rows for a common term (815 ms at 5 × 100,000
// tenants; 3 ms this way). On SQLite the search index and the status indexes answer it as one read.
export function filteredBatchStatement(
  dialect: Dialect,
  brokerId: number,
  filter: TenantFilter,
  afterId: number,
  limit: number,
): SqlStatement {
  const params = new Params(dialect);
  if (dialect.name === 'postgres') {
    const window = filterConditions(dialect, brokerId, filter, afterId, params, false);
    const listed = filter.status === 'all' ? 'TRUE' : statusCondition(filter.status, params);
    return {
      sql:
        `SELECT ${BATCH_COLUMNS}, ${listed} AS listed FROM tenants AS t WHERE t.id = ANY (ARRAY(` +
        `SELECT t.id FROM tenants AS t WHERE ${window} ORDER BY t.id LIMIT ${Number(limit)})) ORDER BY t.id`,
      params: params.values,
    };
  }
  const where = filterConditions(dialect, brokerId, filter, afterId, params);
  return {
    sql: `SELECT ${BATCH_COLUMNS}, 1 AS listed FROM tenants AS t WHERE ${where} ORDER BY t.id LIMIT ${Number(limit)}`,
    params: params.values,
  };
}

export type StatusCounts = Record<TenantStatus, number>;
export type AttestationCounts = Record<AttestationFilter, number>;

export const zeroCounts = (): StatusCounts => ({ attested: 0, direct: 0, pending: 0, none: 0 });
export const zeroAttestationCounts = (): AttestationCounts => ({ ready: 0, expired: 0, reaccept: 0 });

const isStatus = (value: string): value is TenantStatus => (TENANT_STATUSES as readonly string[]).includes(value);
const flag = (value: boolean | number): boolean => Boolean(Number(value));

// The status sort's order, status by status (STATUS_RANK_SQL's ranks).
const RANKED_STATUSES: readonly TenantStatus[] = ['none', 'pending', 'direct', 'attested'];

interface AnchoredPart {
  list: AnchoredList;
  start: number; // position in the list, ascending
  limit: number;
}

// Where a page read by its number lies in the anchored lists, in ascending order: the page's rows are those at
// positions [start, start + limit) of the ascending order (a descending page counted from the end). The status sort
// holds each status's list in turn, so its page is one or more parts of them.
export function anchoredParts(query: McaQuery, window: PageWindow, counts: StatusCounts): AnchoredPart[] {
  const total =
    query.status === 'all'
      ? TENANT_STATUSES.reduce((sum, s) => sum + counts[s], 0)
      : counts[query.status as TenantStatus];
  const start = query.dir === 'asc' ? window.offset : total - window.offset - window.limit;
  if (query.status !== 'all') return [{ list: query.status as TenantStatus, start, limit: window.limit }];
  if (query.sort !== 'status') return [{ list: 'all', start, limit: window.limit }];
  const parts: AnchoredPart[] = [];
  let first = 0;
  for (const status of RANKED_STATUSES) {
    const from = Math.max(start, first);
    const to = Math.min(start + window.limit, first + counts[status]);
    if (from < to) parts.push({ list: status, start: from - first, limit: to - from });
    first += counts[status];
  }
  return parts;
}

// A row of the MCA page.
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

interface RawTenantRow {
  id: number;
  name: string;
  domain: string;
  microsoft_tenant_id: string;
  status: TenantStatus;
  accepted_at: unknown;
  removed_at: unknown;
  attestation_state?: string | null;
  directly_signed: boolean | number;
  partner_accepted: boolean | number;
  attested_outside: boolean | number;
  agreement_signatory: string | null;
  acceptance_unconfirmed: string | null;
  reacceptance: string | null;
}

const decodeTenantRow = (dialect: Dialect, raw: RawTenantRow): TenantRow => ({
  id: Number(raw.id),
  name: raw.name,
  domain: raw.domain,
  microsoftTenantId: raw.microsoft_tenant_id,
  status: raw.status,
  acceptedAt: dialect.decodeTimestamp(raw.accepted_at),
  removedAt: dialect.decodeTimestamp(raw.removed_at),
  attestationState: raw.attestation_state ?? null,
  directlySigned: flag(raw.directly_signed),
  partnerAccepted: flag(raw.partner_accepted),
  attestedOutside: flag(raw.attested_outside),
  agreementSignatory: raw.agreement_signatory ?? null,
  unconfirmed: raw.acceptance_unconfirmed ?? null,
  reacceptanceNeeded: raw.reacceptance !== null && raw.reacceptance !== undefined,
});

// A search's counts per status, and per mark when it filters by one (PostgreSQL returns count(*) as text).
export interface SearchCounts {
  statuses: StatusCounts;
  marks: AttestationCounts | null;
}

type RawSearchCounts = Record<string, number | string | undefined>;

function decodeSearchCounts(raw: RawSearchCounts): SearchCounts {
  const statuses = zeroCounts();
  for (const status of TENANT_STATUSES) statuses[status] = Number(raw[countColumn(status)]);
  const marks =
    raw.ready_count === undefined
      ? null
      : { ready: Number(raw.ready_count), expired: Number(raw.expired_count), reaccept: Number(raw.reaccept_count) };
  return { statuses, marks };
}

// The broker's counts, whatever the filter and the search: per status (removed tenants too), and per mark.
export interface BrokerCounts {
  all: StatusCounts;
  current: StatusCounts; // tenants still in Partner Center
  removed: number;
  marks: AttestationCounts;
}

// A tenant of a report, with whether the report's filter lists it (filteredBatchStatement).
export type FilteredTenant = Omit<TenantRow, 'attestationState' | 'partnerAccepted'> & { listed: boolean };

// A row of filteredBatchStatement as read: BATCH_COLUMNS in their order, then `listed`.
type RawFilteredTenant = readonly [
  id: number | string,
  name: string,
  domain: string,
  microsoftTenantId: string,
  status: TenantStatus,
  acceptedAt: unknown,
  removedAt: unknown,
  reacceptance: string | null,
  attestedOutside: boolean | number,
  directlySigned: boolean | number,
  agreementSignatory: string | null,
  unconfirmed: string | null,
  listed: boolean | number,
];

// A report reads rows by the thousand: each is read as an array and decoded into one object, with no copy (copying
// spreads cost 0.8 s of CPU per 100,000 rows).
const decodeFilteredTenant = (dialect: Dialect, raw: RawFilteredTenant): FilteredTenant => ({
  id: Number(raw[0]),
  name: raw[1],
  domain: raw[2],
  microsoftTenantId: raw[3],
  status: raw[4],
  acceptedAt: dialect.decodeTimestamp(raw[5]),
  removedAt: dialect.decodeTimestamp(raw[6]),
  reacceptanceNeeded: raw[7] !== null,
  attestedOutside: flag(raw[8]),
  directlySigned: flag(raw[9]),
  agreementSignatory: raw[10],
  unconfirmed: raw[11],
  listed: flag(raw[12]),
});

// A tenant as the attestation pages name it.
export interface TenantSummary {
  id: number;
  name: string;
  domain: string;
  microsoftTenantId: string;
  status: TenantStatus;
  removed: boolean;
  reacceptanceNeeded: boolean; // every acceptance is older than the broker requires
}

interface RawTenantSummary {
  id: number;
  name: string;
  domain: string;
  microsoft_tenant_id: string;
  status: TenantStatus;
  removed_at: unknown;
  reacceptance: string | null;
}

const decodeTenantSummary = (raw: RawTenantSummary): TenantSummary => ({
  id: Number(raw.id),
  name: String(raw.name),
  domain: String(raw.domain),
  microsoftTenantId: String(raw.microsoft_tenant_id),
  status: raw.status,
  removed: raw.removed_at !== null && raw.removed_at !== undefined,
  reacceptanceNeeded: raw.reacceptance !== null && raw.reacceptance !== undefined,
});

const KNOWN_COLUMNS = {
  id: true,
  microsoftTenantId: true,
  name: true,
  domain: true,
  status: true,
  directlySigned: true,
  directSeenAt: true,
  partnerAccepted: true,
  partnerAgreedAt: true,
  agreementTemplateId: true,
  agreementSignatory: true,
  attestedOutside: true,
  ownAgreementContact: true,
  attestationState: true,
  acceptanceCheckedAt: true,
  acceptanceUnconfirmed: true,
  acceptedAt: true,
  reacceptance: true,
  removedAt: true,
} as const;

const INSERT_CHUNK = 200;
// Ids are 32-bit integers on PostgreSQL: a larger one names no tenant (and would fail as a query).
const isTenantId = (id: number): boolean => Number.isInteger(id) && id >= 1 && id <= 2_147_483_647;

// The MCA page's reads, on a SqlReader alone: the bench's bare server runs them on its own connection, exactly as
// the app does.
export class TenantListReads {
  private readonly anchors: PageAnchors;
  private readonly markCounts = new Map<number, { version: number; marks: AttestationCounts }>();

  constructor(protected readonly reader: SqlReader) {
    this.anchors = new PageAnchors(reader.dialect, (statement) => this.run(statement), anchorStepStatement);
  }

  private run<T>(statement: SqlStatement): Promise<T[]> {
    return this.reader.run<T>(statement.sql, statement.params);
  }

  private decode = (raw: RawTenantRow): TenantRow => decodeTenantRow(this.reader.dialect, raw);

  async brokerCounts(brokerId: number): Promise<BrokerCounts> {
    const { dialect } = this.reader;
    const counts: BrokerCounts = {
      all: zeroCounts(),
      current: zeroCounts(),
      removed: 0,
      marks: zeroAttestationCounts(),
    };
    const rows = await this.run<{
      status: string;
      removed: boolean | number;
      tenant_count: number | string;
      list_version: number | string;
    }>(statusCountsStatement(dialect, brokerId));
    for (const row of rows) {
      if (!isStatus(row.status)) continue;
      const count = Number(row.tenant_count);
      counts.all[row.status] += count;
      if (flag(row.removed)) counts.removed += count;
      else counts.current[row.status] += count;
    }
    if (rows.length > 0) counts.marks = await this.marks(brokerId, Number(rows[0].list_version));
    return counts;
  }

  // The marks' counts walk each mark's index range (a mark held by a sixth of 1,000,000 tenants: 14 ms on SQLite),
  // so they are read again only when the broker's list version moved on (the triggers bump it when a mark changes).
  // The version was read before the counts: counts newer than it are read again at the next version.
  private async marks(brokerId: number, version: number): Promise<AttestationCounts> {
    const known = this.markCounts.get(brokerId);
    if (known?.version === version) return { ...known.marks };
    const marks = zeroAttestationCounts();
    const rows = await this.run<{ filter: string; tenant_count: number | string }>(
      attestationCountsStatement(this.reader.dialect, brokerId),
    );
    for (const row of rows) {
      if ((ATTESTATION_FILTERS as readonly string[]).includes(row.filter))
        marks[row.filter as AttestationFilter] = Number(row.tenant_count);
    }
    this.markCounts.set(brokerId, { version, marks });
    return { ...marks };
  }

  // A search's page with its counts in one statement; null when the page has no row (the counts are then read alone).
  async searchPage(
    brokerId: number,
    query: McaQuery,
    window: { limit: number; queryOffset: number },
  ): Promise<{ rows: TenantRow[]; counts: SearchCounts } | null> {
    const raw = await this.run<RawTenantRow & RawSearchCounts>(
      searchPageStatement(this.reader.dialect, brokerId, query, window),
    );
    return raw.length === 0 ? null : { rows: raw.map(this.decode), counts: decodeSearchCounts(raw[0]) };
  }

  async searchCounts(brokerId: number, q: string, status: StatusFilter): Promise<SearchCounts> {
    const [raw] = await this.run<RawSearchCounts>(searchCountsStatement(this.reader.dialect, brokerId, q, status));
    return decodeSearchCounts(raw);
  }

  // A page read by its number, in the query's order (a window read from the other end is put back in order). A
  // page deeper than the first anchor, in a list anchors are kept for, is read from the anchor before it.
  async page(brokerId: number, query: McaQuery, window: PageWindow, counts: StatusCounts): Promise<TenantRow[]> {
    const anchored =
      canSeek(query) && window.queryOffset >= ANCHOR_EVERY
        ? await this.anchoredPage(brokerId, query, window, counts)
        : null;
    if (anchored) return anchored.map(this.decode);
    const raw = await this.run<RawTenantRow>(pageStatement(this.reader.dialect, brokerId, query, window));
    if (window.reverse) raw.reverse();
    return raw.map(this.decode);
  }

  // The page as parts of the anchored lists, in ascending order (a descending order is the exact reverse), or null
  // when an anchor is not read yet or its version is gone.
  private async anchoredPage(
    brokerId: number,
    query: McaQuery,
    window: PageWindow,
    counts: StatusCounts,
  ): Promise<RawTenantRow[] | null> {
    const rows: RawTenantRow[] = [];
    for (const part of anchoredParts(query, window, counts)) {
      const anchor = await this.anchors.anchorFor(brokerId, part.list, part.start);
      if (!anchor) return null;
      const statement = anchoredPageStatement(
        this.reader.dialect,
        brokerId,
        part.list,
        anchor,
        part.start - anchor.position,
        part.limit,
      );
      const read = await this.run<RawTenantRow>(statement);
      if (read.length < part.limit) {
        this.anchors.forget(brokerId, part.list);
        return null;
      }
      rows.push(...read);
    }
    return query.dir === 'desc' ? rows.reverse() : rows;
  }

  // The page next to the cursor's row, or null when it cannot be read that way (the row is gone, or the tenants
  // changed so that the page would not fill as the counts say): the page is then read by its number.
  async pageFrom(brokerId: number, query: McaQuery, cursor: PageCursor, limit: number): Promise<TenantRow[] | null> {
    const { dialect } = this.reader;
    const [from] = await this.run<CursorRow>(cursorRowStatement(dialect, brokerId, cursor.id));
    if (!from) return null;
    const rows: RawTenantRow[] = [];
    for (const statement of seekStatements(dialect, brokerId, query, from, cursor.direction, limit)) {
      if (rows.length < limit) rows.push(...(await this.run<RawTenantRow>(statement)));
    }
    if (rows.length < limit) return null;
    const page = rows.slice(0, limit);
    return (cursor.direction === 'before' ? page.reverse() : page).map(this.decode);
  }

  // Rows the page shows, read again by id; ids of another broker name no row.
  async rowsById(brokerId: number, ids: readonly number[]): Promise<TenantRow[]> {
    return (await this.run<RawTenantRow>(rowsStatement(this.reader.dialect, brokerId, ids))).map(this.decode);
  }
}

// The rest of the tenants' SQL: the writer's reads and writes (inside the caller's transaction), the report's
// keyset read, and the tenant other features name.
@Injectable()
export class TenantsRepository extends TenantListReads {
  constructor(private readonly sql: SqlService) {
    super(sql);
  }

  // One tenant of the broker as the merge reads it, or null.
  async known(brokerId: number, tenantId: number): Promise<KnownTenant | null> {
    if (!isTenantId(tenantId)) return null;
    return this.sql.manager.findOne(Tenant, { where: { id: tenantId, brokerId }, select: KNOWN_COLUMNS });
  }

  // A broker's tenants as the merge reads them (or those of the given Microsoft ids). Inside a transaction on
  // PostgreSQL the rows are locked, so that an attestation changing a status meanwhile waits for the merge instead
  // of being overwritten by it (SQLite serialises write transactions already).
  knownTenants(brokerId: number, tx?: Tx, only?: { microsoftTenantIds: string[] }): Promise<KnownTenant[]> {
    const manager = tx?.manager ?? this.sql.manager;
    const lock = tx && tx.dialect.name === 'postgres' ? { lock: { mode: 'pessimistic_write' as const } } : {};
    const where = only ? { brokerId, microsoftTenantId: In(only.microsoftTenantIds) } : { brokerId };
    return manager.find(Tenant, { where, select: KNOWN_COLUMNS, ...lock });
  }

  // The broker's first `limit` tenants not marked removed with ids after `after`, as the statement returns them: on
  // SQLite a prepared statement's rows, without an entity built for each (ten thousand of those would hold the event
  // loop for tens of ms); a window at a time, as the whole of a large broker would. Read by the key (broker_id, id)
  // that ix_tenants_broker_id keeps in order, so that a window is full however sparse the broker's ids.
  listed(
    brokerId: number,
    window: { after: number; limit: number },
  ): Promise<Pick<KnownTenant, 'id' | 'microsoftTenantId' | 'removedAt'>[]> {
    return this.sql.query`SELECT id, microsoft_tenant_id AS "microsoftTenantId", removed_at AS "removedAt"
      FROM tenants WHERE broker_id = ${brokerId} AND removed_at IS NULL AND id > ${window.after}
      ORDER BY id LIMIT ${window.limit}`;
  }

  // Without reading the new rows back (TypeORM would, for their defaults): nothing here needs them.
  async insert(tx: Tx, brokerId: number, rows: readonly TenantFields[], now: Date): Promise<void> {
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await tx.manager
        .createQueryBuilder()
        .insert()
        .into(Tenant)
        .values(rows.slice(start, start + INSERT_CHUNK).map((fields) => ({ ...fields, brokerId, lastSyncedAt: now })))
        .updateEntity(false)
        .execute();
    }
  }

  async update(tx: Tx, brokerId: number, id: number, changes: Partial<Tenant>): Promise<void> {
    await tx.manager.update(Tenant, { id, brokerId }, changes);
  }

  // Tenants gone from Partner Center: kept, marked removed (no longer needing re-acceptance). Returns how many.
  async markRemoved(tx: Tx, brokerId: number, ids: readonly number[], now: Date): Promise<number> {
    const result = await tx.manager.update(
      Tenant,
      { brokerId, id: In([...ids]), removedAt: IsNull() },
      { removedAt: now, lastSyncedAt: now, reacceptance: null },
    );
    return result.affected ?? ids.length;
  }

  // The whole row, locked until the transaction ends (PostgreSQL), or null.
  async locked(tx: Tx, brokerId: number, tenantId: number): Promise<Tenant | null> {
    if (!isTenantId(tenantId)) return null;
    const lock = tx.dialect.name === 'postgres' ? { lock: { mode: 'pessimistic_write' as const } } : {};
    return tx.manager.findOne(Tenant, { where: { id: tenantId, brokerId }, ...lock });
  }

  // The broker's lowest and highest tenant ids (null without tenants): the windows re-acceptance is marked in.
  async idSpan(brokerId: number): Promise<{ low: number; high: number } | null> {
    const [span] = await this.sql.query<{ low: number | string | null; high: number | string | null }>`
      SELECT min(id) AS low, max(id) AS high FROM tenants WHERE broker_id = ${brokerId}`;
    return span?.low === null || span?.low === undefined ? null : { low: Number(span.low), high: Number(span.high) };
  }

  // The accepted tenants with ids in (from, to] marked again against the date: deriveAcceptance's rule (an accepted
  // tenant's shown acceptance is older, and no direct one is beside it), in one statement.
  async markReacceptance(tx: Tx, brokerId: number, ids: { from: number; to: number }, requiredFrom: Date | null) {
    const before = requiredFrom ? tx.dialect.encodeTimestamp(requiredFrom) : null;
    await tx.query`UPDATE tenants SET reacceptance = CASE WHEN status IN ('attested', 'direct')
      AND removed_at IS NULL AND accepted_at < ${before} AND (status = 'direct' OR directly_signed = FALSE)
      THEN ${REACCEPTANCE_NEEDED} ELSE NULL END
      WHERE broker_id = ${brokerId} AND id > ${ids.from} AND id <= ${ids.to}`;
  }

  async reacceptanceCount(brokerId: number): Promise<number> {
    const [count] = await this.sql.query<{ n: number | string }>`
      SELECT count(*) AS n FROM tenants WHERE broker_id = ${brokerId} AND reacceptance = ${REACCEPTANCE_NEEDED}`;
    return Number(count?.n ?? 0);
  }

  // A tenant of the broker as other features name it (the attestation pages, the finalize job), or null.
  async summary(brokerId: number, tenantId: number): Promise<TenantSummary | null> {
    if (!isTenantId(tenantId)) return null;
    const [row] = await this.sql.query<RawTenantSummary>`
      SELECT id, name, domain, microsoft_tenant_id, status, removed_at, reacceptance FROM tenants
      WHERE id = ${tenantId} AND broker_id = ${brokerId}`;
    return row ? decodeTenantSummary(row) : null;
  }

  // How many tenants the filter lists (a report's total).
  async countFiltered(brokerId: number, filter: TenantFilter): Promise<number> {
    const { sql, params } = filteredCountStatement(this.sql.dialect, brokerId, filter);
    const [row] = await this.sql.run<{ n: number | string }>(sql, params);
    return Number(row?.n ?? 0);
  }

  // The broker's next `limit` tenants after `afterId` in id order, each saying whether the filter lists it.
  async filteredBatch(
    brokerId: number,
    filter: TenantFilter,
    afterId: number,
    limit: number,
  ): Promise<FilteredTenant[]> {
    const { sql, params } = filteredBatchStatement(this.sql.dialect, brokerId, filter, afterId, limit);
    return (await this.sql.runArrays<RawFilteredTenant>(sql, params)).map((raw) =>
      decodeFilteredTenant(this.sql.dialect, raw),
    );
  }
}
