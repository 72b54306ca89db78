import type { Dialect } from '../database/dialect';
import type { StatusFilter } from '../tenants/mca-query';
import {
  containsOnPostgres,
  ftsMatch,
  isShort,
  Params,
  startsWith,
  statusCondition,
  type SqlStatement,
} from '../tenants/tenant-list.sql';

// Which tenants a report lists: every tenant of the broker, or those the MCA page's status filter and search show
// (all of them, not only the page's first matches).
export interface ReportFilter {
  status: StatusFilter;
  q: string;
}

export const NO_FILTER: ReportFilter = { status: 'all', q: '' };

// The conditions of the MCA page's search (tenant-list.sql.ts), written against a keyset read: a term of three
// characters or more anywhere in the name, the domain or the tenant id (FTS5 trigram on SQLite, pg_trgm on
// PostgreSQL), a shorter one at the start of the name; with the status filter's unless `withStatus` is false.
function conditions(
  dialect: Dialect,
  brokerId: number,
  filter: ReportFilter,
  afterId: number | null,
  params: Params,
  withStatus = true,
): string {
  const p = params.add;
  const where = [`t.broker_id = ${p(brokerId)}`];
  if (afterId !== null) where.push(`t.id > ${p(afterId)}`);
  if (withStatus && filter.status !== 'all') where.push(statusCondition(filter.status, params));
  const term = filter.q;
  if (term !== '' && isShort(term)) where.push(startsWith(dialect, term, p));
  else if (term !== '' && dialect.name === 'sqlite') {
    const match = p(ftsMatch(brokerId, term));
    const rowid = afterId !== null ? ` AND rowid > ${p(afterId)}` : '';
    where.push(`t.id IN (SELECT rowid FROM tenants_search WHERE tenants_search MATCH ${match}${rowid})`);
  } else if (term !== '') where.push(containsOnPostgres(term, p));
  return where.join(' AND ');
}

export function countStatement(dialect: Dialect, brokerId: number, filter: ReportFilter): SqlStatement {
  const params = new Params(dialect);
  const where = conditions(dialect, brokerId, filter, null, params);
  return { sql: `SELECT count(*) AS n FROM tenants AS t WHERE ${where}`, params: params.values };
}

const BATCH_COLUMNS =
  't.id, t.name, t.domain, t.microsoft_tenant_id, t.status, t.accepted_at, t.removed_at, t.reacceptance, ' +
  't.attested_outside, t.directly_signed, t.agreement_signatory, t.acceptance_unconfirmed';

// The next batch after a tenant id, in id order: each batch starts where the last ended. Each row says whether the
// report lists it (`listed`); the next batch starts after the last row, listed or not.
// On PostgreSQL the batch is a window of the broker's ids that hold the term, read from ix_tenants_broker_id alone
// (it holds search_text), and the status filter marks the window's rows: with the filter inside the window's read,
// the planner walked the primary key through every other broker's rows for a common term (815 ms at 5 × 100,000
// tenants; 3 ms this way). On SQLite the search index and the status indexes answer it as one read.
export function batchStatement(
  dialect: Dialect,
  brokerId: number,
  filter: ReportFilter,
  afterId: number,
  limit: number,
): SqlStatement {
  const params = new Params(dialect);
  if (dialect.name === 'postgres') {
    const window = conditions(dialect, brokerId, filter, afterId, params, false);
    const listed = filter.status === 'all' ? 'TRUE' : statusCondition(filter.status, params);
    return {
      sql:
        `SELECT ${BATCH_COLUMNS}, ${listed} AS listed FROM tenants AS t WHERE t.id = ANY (ARRAY(` +
        `SELECT t.id FROM tenants AS t WHERE ${window} ORDER BY t.id LIMIT ${Number(limit)})) ORDER BY t.id`,
      params: params.values,
    };
  }
  const where = conditions(dialect, brokerId, filter, afterId, params);
  return {
    sql: `SELECT ${BATCH_COLUMNS}, 1 AS listed FROM tenants AS t WHERE ${where} ORDER BY t.id LIMIT ${Number(limit)}`,
    params: params.values,
  };
}
