import type { Dialect } from '../database/dialect';
import {
  isAttestationFilter,
  type AttestationFilter,
  type McaQuery,
  type PageCursor,
  type StatusFilter,
} from './mca-query';
import { REACCEPTANCE_NEEDED } from './tenant-acceptance';
import { TENANT_STATUSES, type TenantStatus } from './tenant-status';

// The SQL of the MCA page, written out so that each query is one indexed statement (see DESIGN.md, "Scale") and
// so that the bench's bare server runs exactly the same statements. Every statement is confined to one broker:
// the caller passes BrokerScope.brokerId().

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
export class Params {
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
// costs a few milliseconds per request at 100,000 tenants (DESIGN.md, "Scale"), and nobody pages through more.
// The page says so when a search reaches the cap.
export const SEARCH_MATCH_CAP = 1000;

export const isShort = (term: string): boolean => [...term].length < TRIGRAM_MIN_LENGTH;

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
// index that holds the broker in its key: on SQLite the FTS5 matches of the broker's word and the term are read
// first, in rowid order (CROSS JOIN fixes the order: without statistics the planner would rather walk a whole
// index and probe each row); on PostgreSQL the planner weighs the trigram index's bitmap (a term of few matches)
// against walking the broker's rows in id order until the cap (a term found in most rows), reading only the ids
// (ix_tenants_broker_id holds search_text, migration SearchIdsByBroker) before the matches' rows. The id order
// matters: without it a whole-table read that stops at the cap looks cheapest for a common term, and reads every
// other broker's rows first; with the rows' other columns in the same SELECT, walking the primary key did. A
// shorter term matches the start of the name, read in the order of an index that holds the keys, so that neither
// database touches the table for it.
// (Parameters are added in the order they appear in the text: SQLite's are positional.)
function firstMatches(dialect: Dialect, brokerId: number, term: string, params: Params, columns: string): string {
  if (isShort(term)) {
    const broker = params.add(brokerId);
    const lowerName = dialect.name === 'postgres' ? 'lower(t.name) COLLATE "C"' : 'lower(t.name)';
    return `SELECT ${columns} FROM tenants AS t WHERE t.broker_id = ${broker} AND ${startsWith(dialect, term, params.add)} ORDER BY ${lowerName}, t.status, t.name, t.accepted_at, t.id LIMIT ${SEARCH_MATCH_CAP}`;
  }
  if (dialect.name === 'sqlite') {
    const match = params.add(ftsMatch(brokerId, term));
    return `SELECT ${columns} FROM (SELECT rowid AS id FROM tenants_search WHERE tenants_search MATCH ${match}) AS m CROSS JOIN tenants AS t ON t.id = m.id WHERE t.broker_id = ${params.add(brokerId)} ORDER BY m.id LIMIT ${SEARCH_MATCH_CAP}`;
  }
  const broker = params.add(brokerId);
  const ids = `SELECT t.id FROM tenants AS t WHERE t.broker_id = ${broker} AND ${containsOnPostgres(term, params.add)} ORDER BY t.id LIMIT ${SEARCH_MATCH_CAP}`;
  return `SELECT ${columns} FROM tenants AS t WHERE t.id = ANY (ARRAY(${ids}))`;
}

// The search rules, shared with the report's keyset read (src/reports/report-rows.sql.ts), each adding its
// parameters through `add` in the order they appear in the text.
type AddParam = (value: unknown) => string;

// SQLite: the FTS5 query of one broker's tenants that hold the term.
export const ftsMatch = (brokerId: number, term: string): string =>
  `broker : ${ftsPhrase(brokerToken(brokerId))} AND {name domain microsoft_tenant_id} : ${ftsPhrase(term)}`;

// PostgreSQL: the term anywhere in the name, the domain or the tenant id.
export const containsOnPostgres = (term: string, add: AddParam): string =>
  `${SEARCH_TEXT_SQL} LIKE lower(${add(`%${escapeLike(term)}%`)})`;

// On PostgreSQL in the "C" collation, the collation of ix_tenants_broker_lower_name: LIKE 'ab%' is then a range of
// that index whatever the database's collation.
export function startsWith(dialect: Dialect, term: string, add: AddParam): string {
  if (dialect.name === 'postgres') return `lower(t.name) COLLATE "C" LIKE ${add(`${escapeLike(term.toLowerCase())}%`)}`;
  const from = asciiLower(term);
  return `lower(t.name) >= ${add(from)} AND lower(t.name) < ${add(`${from}\u{10FFFF}`)}`;
}

// The condition of a status filter (also the report's, src/reports/report-rows.sql.ts).
export function statusCondition(filter: Exclude<StatusFilter, 'all'>, params: Params): string {
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

export function statusCountsStatement(dialect: Dialect, brokerId: number): SqlStatement {
  const params = new Params(dialect);
  return {
    sql: `SELECT status, removed, tenant_count FROM tenant_status_counts WHERE broker_id = ${params.add(brokerId)}`,
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
