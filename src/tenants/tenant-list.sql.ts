import { STATUS_RANK_SQL } from '../database/migrations/1764120000000-mca-page';
import type { McaQuery } from './mca-query';

// The SQL of the MCA page, written out so that each query is one indexed statement (see DESIGN.md, "Scale") and
// so that the bench's bare server runs exactly the same statements. Every statement is confined to one broker:
// the caller passes BrokerScope.brokerId().
export type SqlDriver = 'sqlite' | 'postgres';

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

export const COLUMNS = 'id, name, domain, microsoft_tenant_id, status, accepted_at, removed_at';

// Shorter terms have no trigram: they match the start of the name, the domain or the tenant id instead.
export const TRIGRAM_MIN_LENGTH = 3;

class Params {
  readonly values: unknown[] = [];
  constructor(private readonly driver: SqlDriver) {}

  add(value: unknown): string {
    this.values.push(value);
    return this.driver === 'postgres' ? `$${this.values.length}` : '?';
  }
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
// SQLite's lower() folds ASCII only; folding the term the same way keeps "É" matching "É".
const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

// The columns a short term is matched against by prefix, each with an index that starts with broker_id.
const PREFIX_COLUMNS = ['lower(name)', 'lower(domain)', 'microsoft_tenant_id'];

function searchCondition(driver: SqlDriver, brokerId: number, term: string, params: Params): string {
  const short = [...term].length < TRIGRAM_MIN_LENGTH;
  if (driver === 'sqlite') {
    if (!short) return `id IN (SELECT rowid FROM tenants_search WHERE tenants_search MATCH ${params.add(`"${term.replace(/"/g, '""')}"`)})`;
    const from = asciiLower(term);
    const prefixMatches = PREFIX_COLUMNS.map(
      (column) => `SELECT id FROM tenants WHERE broker_id = ${params.add(brokerId)} AND ${column} >= ${params.add(from)} AND ${column} < ${params.add(`${from}\u{10FFFF}`)}`,
    );
    return `id IN (${prefixMatches.join(' UNION ALL ')})`;
  }
  if (!short) {
    const like = params.add(`%${escapeLike(term)}%`);
    return `(name ILIKE ${like} OR domain ILIKE ${like} OR microsoft_tenant_id ILIKE ${like})`;
  }
  const [broker, prefix] = [params.add(brokerId), params.add(`${escapeLike(term.toLowerCase())}%`)];
  return `(${PREFIX_COLUMNS.map((column) => `(broker_id = ${broker} AND ${column} LIKE ${prefix})`).join(' OR ')})`;
}

function whereClause(driver: SqlDriver, brokerId: number, filter: Pick<McaQuery, 'status' | 'q'>, params: Params): string {
  const conditions = [`broker_id = ${params.add(brokerId)}`];
  if (filter.status !== 'all') conditions.push(`status = ${params.add(filter.status)}`);
  if (filter.q !== '') conditions.push(searchCondition(driver, brokerId, filter.q, params));
  return conditions.join(' AND ');
}

// Each order is served by one index read in either direction: (broker_id, name), (broker_id, status, name),
// (broker_id, rank, name), (broker_id, [status,] accepted_at, name). A tenant without a date sorts as the oldest.
function orderBy(driver: SqlDriver, query: Pick<McaQuery, 'status' | 'sort' | 'dir'>, reverse: boolean): string {
  const descending = (query.dir === 'desc') !== reverse;
  const dir = descending ? 'DESC' : 'ASC';
  const keys: string[] = [];
  if (query.sort === 'status' && query.status === 'all') keys.push(STATUS_RANK_SQL);
  if (query.sort === 'date') keys.push(driver === 'postgres' ? `accepted_at ${dir} NULLS ${descending ? 'LAST' : 'FIRST'}` : `accepted_at ${dir}`);
  return [...keys.map((key) => (key.startsWith('accepted_at') ? key : `${key} ${dir}`)), `name ${dir}`, `id ${dir}`].join(', ');
}

export function pageStatement(driver: SqlDriver, brokerId: number, query: McaQuery, window: { limit: number; queryOffset: number; reverse: boolean }): SqlStatement {
  const params = new Params(driver);
  const where = whereClause(driver, brokerId, query, params);
  const sql = `SELECT ${COLUMNS} FROM tenants WHERE ${where} ORDER BY ${orderBy(driver, query, window.reverse)} LIMIT ${params.add(window.limit)} OFFSET ${params.add(window.queryOffset)}`;
  return { sql, params: params.values };
}

// Counts of every status for a search (the chips count what the search found); without a search the counts
// come from tenant_status_counts instead.
export function searchCountsStatement(driver: SqlDriver, brokerId: number, q: string): SqlStatement {
  const params = new Params(driver);
  const where = whereClause(driver, brokerId, { status: 'all', q }, params);
  return { sql: `SELECT status, count(*) AS tenant_count FROM tenants WHERE ${where} GROUP BY status`, params: params.values };
}

export function statusCountsStatement(driver: SqlDriver, brokerId: number): SqlStatement {
  const params = new Params(driver);
  return { sql: `SELECT status, removed, tenant_count FROM tenant_status_counts WHERE broker_id = ${params.add(brokerId)}`, params: params.values };
}
