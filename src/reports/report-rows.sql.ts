import type { Dialect } from '../database/dialect';
import { isAttestationFilter, type StatusFilter } from '../tenants/mca-query';
import {
  ATTESTATION_FILTER_STATES,
  containsOnPostgres,
  ftsMatch,
  isShort,
  Params,
  startsWith,
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
// PostgreSQL), a shorter one at the start of the name.
function conditions(dialect: Dialect, brokerId: number, filter: ReportFilter, afterId: number | null): SqlStatement {
  const params = new Params(dialect);
  const p = params.add;
  const where = [`t.broker_id = ${p(brokerId)}`];
  if (afterId !== null) where.push(`t.id > ${p(afterId)}`);
  if (filter.status !== 'all')
    where.push(
      isAttestationFilter(filter.status)
        ? `t.attestation_state = ${p(ATTESTATION_FILTER_STATES[filter.status])}`
        : `t.status = ${p(filter.status)}`,
    );
  const term = filter.q;
  if (term !== '' && isShort(term)) where.push(startsWith(dialect, term, p));
  else if (term !== '' && dialect.name === 'sqlite') {
    const match = p(ftsMatch(brokerId, term));
    const rowid = afterId !== null ? ` AND rowid > ${p(afterId)}` : '';
    where.push(`t.id IN (SELECT rowid FROM tenants_search WHERE tenants_search MATCH ${match}${rowid})`);
  } else if (term !== '') where.push(containsOnPostgres(term, p));
  return { sql: where.join(' AND '), params: params.values };
}

export function countStatement(dialect: Dialect, brokerId: number, filter: ReportFilter): SqlStatement {
  const where = conditions(dialect, brokerId, filter, null);
  return { sql: `SELECT count(*) AS n FROM tenants AS t WHERE ${where.sql}`, params: where.params };
}

// The next batch after a tenant id, in id order: each batch starts where the last ended, through the primary key.
export function batchStatement(
  dialect: Dialect,
  brokerId: number,
  filter: ReportFilter,
  afterId: number,
  limit: number,
): SqlStatement {
  const where = conditions(dialect, brokerId, filter, afterId);
  return {
    sql:
      'SELECT t.id, t.name, t.domain, t.microsoft_tenant_id, t.status, t.accepted_at, t.removed_at FROM tenants AS t ' +
      `WHERE ${where.sql} ORDER BY t.id LIMIT ${Number(limit)}`,
    params: where.params,
  };
}
