import { DEFAULT_MCA_QUERY, type McaQuery } from './mca-query';
import {
  COLUMNS,
  pageStatement,
  SEARCH_MATCH_CAP,
  searchCountsStatement,
  searchPageStatement,
  seekStatements,
} from './tenant-list.sql';

const query = (changes: Partial<McaQuery>): McaQuery => ({ ...DEFAULT_MCA_QUERY, ...changes });
const forward = { limit: 25, queryOffset: 50, reverse: false };

describe('pageStatement', () => {
  it('should confine the page to the broker and order by name by default', () => {
    const { sql, params } = pageStatement('sqlite', 4, query({}), forward);
    expect(sql).toMatch(/FROM tenants AS t WHERE t.broker_id = \? ORDER BY t.name ASC, t.id ASC LIMIT \? OFFSET \?$/);
    expect(params).toEqual([4, 25, 50]);
  });

  it('should order by the indexed status rank only when no status is chosen', () => {
    expect(pageStatement('sqlite', 4, query({ sort: 'status' }), forward).sql).toMatch(
      /ORDER BY \(CASE status .* END\) ASC, t.name ASC, t.id ASC/,
    );
    expect(pageStatement('sqlite', 4, query({ sort: 'status', status: 'none' }), forward).sql).toMatch(
      /t.status = \? ORDER BY t.name ASC, t.id ASC/,
    );
  });

  it('should sort a tenant without a date as the oldest on both drivers', () => {
    expect(pageStatement('sqlite', 4, query({ sort: 'date', dir: 'desc' }), forward).sql).toContain(
      'ORDER BY t.accepted_at DESC, t.name DESC, t.id DESC',
    );
    expect(pageStatement('postgres', 4, query({ sort: 'date', dir: 'desc' }), forward).sql).toContain(
      'ORDER BY t.accepted_at DESC NULLS LAST, t.name DESC, t.id DESC',
    );
    expect(pageStatement('postgres', 4, query({ sort: 'date', dir: 'asc' }), forward).sql).toContain(
      'ORDER BY t.accepted_at ASC NULLS FIRST',
    );
  });

  it('should turn every key around when reading from the end', () => {
    const { sql } = pageStatement('postgres', 4, query({ sort: 'date', dir: 'desc' }), { ...forward, reverse: true });
    expect(sql).toContain('ORDER BY t.accepted_at ASC NULLS FIRST, t.name ASC, t.id ASC');
  });

  it('should read the first FTS5 matches in rowid order, searching a quoted phrase with its quotes doubled, then filter and order them', () => {
    const { sql, params } = pageStatement('sqlite', 4, query({ q: 'say "hi"', status: 'none' }), forward);
    expect(sql).toBe(
      `SELECT ${COLUMNS} FROM (SELECT ${COLUMNS} FROM (SELECT rowid AS id FROM tenants_search WHERE tenants_search MATCH ?) AS m CROSS JOIN tenants AS t ON t.id = m.id ` +
        `WHERE t.broker_id = ? ORDER BY m.id LIMIT ${SEARCH_MATCH_CAP}) AS t WHERE t.status = ? ORDER BY t.name ASC, t.id ASC LIMIT ? OFFSET ?`,
    );
    expect(params).toEqual(['"say ""hi"""', 4, 'none', 25, 50]);
  });

  it('should escape LIKE wildcards on PostgreSQL and read the first matches by id', () => {
    const { sql, params } = pageStatement('postgres', 4, query({ q: '50%_off' }), forward);
    expect(sql).toContain(
      'WHERE t.broker_id = $1 AND (t.name ILIKE $2 OR t.domain ILIKE $2 OR t.microsoft_tenant_id ILIKE $2) ORDER BY t.id LIMIT 1000) AS t ORDER BY',
    );
    expect(params).toEqual([4, '%50\\%\\_off%', 25, 50]);
  });

  it('should count every status of a search in one pass', () => {
    const { sql } = searchCountsStatement('sqlite', 4, 'wingtip');
    expect(sql).toMatch(
      /^SELECT count\(\*\) FILTER \(WHERE t.status = 'attested'\) AS attested_count, .* AS none_count FROM \(SELECT /,
    );
  });

  it('should read a search page with the counts of every status among the first matches, filtering the status after counting', () => {
    const { sql, params } = searchPageStatement(
      'postgres',
      4,
      query({ q: 'wingtip', status: 'direct', sort: 'date', dir: 'desc' }),
      { limit: 25, queryOffset: 50 },
    );
    expect(sql).toBe(
      'WITH matches AS MATERIALIZED (SELECT t.id, t.name, t.status, t.accepted_at FROM tenants AS t WHERE t.broker_id = $1 AND (t.name ILIKE $2 OR t.domain ILIKE $2 OR t.microsoft_tenant_id ILIKE $2) ORDER BY t.id LIMIT 1000) ' +
        `SELECT ${COLUMNS}, c.* FROM (SELECT t.id FROM matches AS t WHERE t.status = $3 ORDER BY t.accepted_at DESC NULLS LAST, t.name DESC, t.id DESC LIMIT $4 OFFSET $5) AS p JOIN tenants AS t ON t.id = p.id ` +
        "CROSS JOIN (SELECT count(*) FILTER (WHERE t.status = 'attested') AS attested_count, count(*) FILTER (WHERE t.status = 'direct') AS direct_count, count(*) FILTER (WHERE t.status = 'pending') AS pending_count, count(*) FILTER (WHERE t.status = 'none') AS none_count FROM matches AS t) AS c " +
        'ORDER BY t.accepted_at DESC NULLS LAST, t.name DESC, t.id DESC',
    );
    expect(params).toEqual([4, '%wingtip%', 'direct', 25, 50]);
  });

  it('should match a short term at the start of the name, its first matches read in the order of the index', () => {
    const sqlite = pageStatement('sqlite', 4, query({ q: 'Ab' }), forward);
    expect(sqlite.sql).toBe(
      `SELECT ${COLUMNS} FROM (SELECT ${COLUMNS} FROM tenants AS t WHERE t.broker_id = ? AND lower(t.name) >= ? AND lower(t.name) < ? ` +
        'ORDER BY lower(t.name), t.status, t.name, t.accepted_at, t.id LIMIT 1000) AS t ORDER BY t.name ASC, t.id ASC LIMIT ? OFFSET ?',
    );
    expect(sqlite.params).toEqual([4, 'ab', 'ab\u{10FFFF}', 25, 50]);
    const postgres = searchCountsStatement('postgres', 4, 'A_');
    expect(postgres.sql).toMatch(
      /^SELECT count\(\*\) FILTER .* FROM \(SELECT t.id, t.name, t.status, t.accepted_at FROM tenants AS t WHERE t.broker_id = \$1 AND lower\(t.name\) LIKE \$2 ORDER BY .* LIMIT 1000\) AS t$/,
    );
    expect(postgres.params).toEqual([4, 'a\\_%']);
  });
});

describe('seekStatements', () => {
  const from = { id: 7, name: 'Nod', status: 'pending' as const, status_rank: 1 };

  it('should read on from the cursor row in the name order, turned around for the previous page', () => {
    const [next] = seekStatements('sqlite', 4, query({ status: 'none' }), from, 'after', 25);
    expect(next.sql).toBe(
      `SELECT ${COLUMNS} FROM tenants AS t WHERE t.broker_id = ? AND t.status = ? AND (t.name, t.id) > (?, ?) ORDER BY t.name ASC, t.id ASC LIMIT ?`,
    );
    expect(next.params).toEqual([4, 'none', 'Nod', 7, 25]);
    expect(seekStatements('postgres', 4, query({ dir: 'desc' }), from, 'before', 25)[0].sql).toContain(
      'AND (t.name, t.id) > ($2, $3) ORDER BY t.name ASC, t.id ASC LIMIT $4',
    );
  });

  it("should read the rest of the cursor row's status, then the statuses after it, in the status order", () => {
    const [same, later] = seekStatements('sqlite', 4, query({ sort: 'status' }), from, 'after', 25);
    expect(same.sql).toContain(
      'WHERE t.broker_id = ? AND t.status = ? AND (t.name, t.id) > (?, ?) ORDER BY t.name ASC',
    );
    expect(same.params).toEqual([4, 'pending', 'Nod', 7, 25]);
    expect(later.sql).toMatch(
      /WHERE t.broker_id = \? AND \(CASE status .* END\) > \? ORDER BY \(CASE status .* END\) ASC, t.name ASC, t.id ASC LIMIT \?$/,
    );
    expect(later.params).toEqual([4, 1, 25]);
  });
});
