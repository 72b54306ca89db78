import type { Dialect } from '../database/dialect';
import type { McaQuery, PageCursor, StatusFilter } from './mca-query';
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

export const COLUMNS = 't.id, t.name, t.domain, t.microsoft_tenant_id, t.status, t.accepted_at, t.removed_at';

// Shorter terms have no trigram: they match the start of the name instead.
export const TRIGRAM_MIN_LENGTH = 3;

class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}

  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
// SQLite's lower() folds ASCII only; folding the term the same way keeps "É" matching "É".
const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

// A search reads at most this many matches, the first found: counting and ordering every match of a common term
// costs a few milliseconds per request at 100,000 tenants (DESIGN.md, "Scale"), and nobody pages through more.
// The page says so when a search reaches the cap.
export const SEARCH_MATCH_CAP = 1000;

const isShort = (term: string): boolean => [...term].length < TRIGRAM_MIN_LENGTH;

// What the list filters, counts and orders by: the rest of a row is read for the rows of the page only.
const KEYS = 't.id, t.name, t.status, t.accepted_at';

// The SELECT of the first SEARCH_MATCH_CAP matches: the counts, the filter and the order apply to these.
// A term of three characters or more is found anywhere in the name, the domain or the tenant id: on SQLite the
// FTS5 matches are read first, in rowid order (CROSS JOIN fixes the order: without statistics the planner would
// rather walk a whole index and probe each row); on PostgreSQL the planner picks from the trigram indexes. A
// shorter term matches the start of the name, read in the order of an index that holds the keys, so that SQLite
// never touches the table for it.
// (Parameters are added in the order they appear in the text: SQLite's are positional.)
function firstMatches(dialect: Dialect, brokerId: number, term: string, params: Params, columns: string): string {
  if (isShort(term)) {
    const broker = params.add(brokerId);
    return `SELECT ${columns} FROM tenants AS t WHERE t.broker_id = ${broker} AND ${startsWith(dialect, term, params)} ORDER BY lower(t.name), t.status, t.name, t.accepted_at, t.id LIMIT ${SEARCH_MATCH_CAP}`;
  }
  if (dialect.name === 'sqlite') {
    const match = params.add(`"${term.replace(/"/g, '""')}"`);
    return `SELECT ${columns} FROM (SELECT rowid AS id FROM tenants_search WHERE tenants_search MATCH ${match}) AS m CROSS JOIN tenants AS t ON t.id = m.id WHERE t.broker_id = ${params.add(brokerId)} ORDER BY m.id LIMIT ${SEARCH_MATCH_CAP}`;
  }
  const broker = params.add(brokerId);
  const like = params.add(`%${escapeLike(term)}%`);
  return `SELECT ${columns} FROM tenants AS t WHERE t.broker_id = ${broker} AND (t.name ILIKE ${like} OR t.domain ILIKE ${like} OR t.microsoft_tenant_id ILIKE ${like}) ORDER BY t.id LIMIT ${SEARCH_MATCH_CAP}`;
}

function startsWith(dialect: Dialect, term: string, params: Params): string {
  if (dialect.name === 'postgres') return `lower(t.name) LIKE ${params.add(`${escapeLike(term.toLowerCase())}%`)}`;
  const from = asciiLower(term);
  return `lower(t.name) >= ${params.add(from)} AND lower(t.name) < ${params.add(`${from}\u{10FFFF}`)}`;
}

// FROM and WHERE of a page read by its number: the broker or the search's first matches, then the status.
function filtered(dialect: Dialect, brokerId: number, filter: Pick<McaQuery, 'status' | 'q'>, params: Params): string {
  const from =
    filter.q === '' ? 'tenants AS t' : `(${firstMatches(dialect, brokerId, filter.q, params, COLUMNS)}) AS t`;
  const conditions = filter.q === '' ? [`t.broker_id = ${params.add(brokerId)}`] : [];
  if (filter.status !== 'all') conditions.push(`t.status = ${params.add(filter.status)}`);
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

export function pageStatement(
  dialect: Dialect,
  brokerId: number,
  query: McaQuery,
  window: { limit: number; queryOffset: number; reverse: boolean },
): SqlStatement {
  const params = new Params(dialect);
  const sql = `SELECT ${COLUMNS} FROM ${filtered(dialect, brokerId, query, params)} ORDER BY ${orderBy(dialect, query, window.reverse)} LIMIT ${params.add(window.limit)} OFFSET ${params.add(window.queryOffset)}`;
  return { sql, params: params.values };
}

// Counts of every status for a search (the chips count what the search found), in one pass without sorting the
// matches by status; without a search the counts come from tenant_status_counts instead.
export const countColumn = (status: TenantStatus): string => `${status}_count`;

const statusCounts = TENANT_STATUSES.map(
  (status) => `count(*) FILTER (WHERE t.status = '${status}') AS ${countColumn(status)}`,
).join(', ');

export function searchCountsStatement(dialect: Dialect, brokerId: number, q: string): SqlStatement {
  const params = new Params(dialect);
  return {
    sql: `SELECT ${statusCounts} FROM (${firstMatches(dialect, brokerId, q, params, KEYS)}) AS t`,
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
  const matches = firstMatches(dialect, brokerId, query.q, params, KEYS);
  const status = query.status === 'all' ? '' : ` WHERE t.status = ${params.add(query.status)}`;
  const order = orderBy(dialect, query, false);
  const page = `SELECT t.id FROM matches AS t${status} ORDER BY ${order} LIMIT ${params.add(window.limit)} OFFSET ${params.add(window.queryOffset)}`;
  const sql =
    `WITH matches AS MATERIALIZED (${matches}) SELECT ${COLUMNS}, c.* FROM (${page}) AS p JOIN tenants AS t ON t.id = p.id ` +
    `CROSS JOIN (SELECT ${statusCounts} FROM matches AS t) AS c ORDER BY ${order}`;
  return { sql, params: params.values };
}

// Keyset paging serves the list without a search in the name and the status orders (every key indexed, none NULL).
export const canSeek = (query: Pick<McaQuery, 'q' | 'sort'>): boolean => query.q === '' && query.sort !== 'date';

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
    if (status !== 'all') conditions.push(`t.status = ${params.add(status)}`);
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

export function statusCountsStatement(dialect: Dialect, brokerId: number): SqlStatement {
  const params = new Params(dialect);
  return {
    sql: `SELECT status, removed, tenant_count FROM tenant_status_counts WHERE broker_id = ${params.add(brokerId)}`,
    params: params.values,
  };
}
