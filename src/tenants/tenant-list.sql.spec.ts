import { DEFAULT_MCA_QUERY, type McaQuery } from './mca-query';
import { pageStatement, searchCountsStatement } from './tenant-list.sql';

const query = (changes: Partial<McaQuery>): McaQuery => ({ ...DEFAULT_MCA_QUERY, ...changes });
const forward = { limit: 25, queryOffset: 50, reverse: false };

describe('pageStatement', () => {
  it('should confine the page to the broker and order by name by default', () => {
    const { sql, params } = pageStatement('sqlite', 4, query({}), forward);
    expect(sql).toMatch(/WHERE broker_id = \? ORDER BY name ASC, id ASC LIMIT \? OFFSET \?$/);
    expect(params).toEqual([4, 25, 50]);
  });

  it('should order by the indexed status rank only when no status is chosen', () => {
    expect(pageStatement('sqlite', 4, query({ sort: 'status' }), forward).sql).toMatch(/ORDER BY \(CASE status .* END\) ASC, name ASC, id ASC/);
    expect(pageStatement('sqlite', 4, query({ sort: 'status', status: 'none' }), forward).sql).toMatch(/status = \? ORDER BY name ASC, id ASC/);
  });

  it('should sort a tenant without a date as the oldest on both drivers', () => {
    expect(pageStatement('sqlite', 4, query({ sort: 'date', dir: 'desc' }), forward).sql).toContain('ORDER BY accepted_at DESC, name DESC, id DESC');
    expect(pageStatement('postgres', 4, query({ sort: 'date', dir: 'desc' }), forward).sql).toContain('ORDER BY accepted_at DESC NULLS LAST, name DESC, id DESC');
    expect(pageStatement('postgres', 4, query({ sort: 'date', dir: 'asc' }), forward).sql).toContain('ORDER BY accepted_at ASC NULLS FIRST');
  });

  it('should turn every key around when reading from the end', () => {
    const { sql } = pageStatement('postgres', 4, query({ sort: 'date', dir: 'desc' }), { ...forward, reverse: true });
    expect(sql).toContain('ORDER BY accepted_at ASC NULLS FIRST, name ASC, id ASC');
  });

  it('should search a quoted phrase with FTS5, doubling quotes', () => {
    const { sql, params } = pageStatement('sqlite', 4, query({ q: 'say "hi"' }), forward);
    expect(sql).toContain('id IN (SELECT rowid FROM tenants_search WHERE tenants_search MATCH ?)');
    expect(params).toEqual([4, '"say ""hi"""', 25, 50]);
  });

  it('should escape LIKE wildcards on PostgreSQL', () => {
    const { sql, params } = pageStatement('postgres', 4, query({ q: '50%_off' }), forward);
    expect(sql).toContain('(name ILIKE $2 OR domain ILIKE $2 OR microsoft_tenant_id ILIKE $2)');
    expect(params).toEqual([4, '%50\\%\\_off%', 25, 50]);
  });

  it('should match short terms by prefix within the broker', () => {
    const sqlite = searchCountsStatement('sqlite', 4, 'Ab');
    expect(sqlite.sql.match(/broker_id = \?/g)).toHaveLength(4);
    expect(sqlite.params).toEqual([4, 4, 'ab', 'ab\u{10FFFF}', 4, 'ab', 'ab\u{10FFFF}', 4, 'ab', 'ab\u{10FFFF}']);
    const postgres = searchCountsStatement('postgres', 4, 'A_');
    expect(postgres.sql).toContain('(broker_id = $2 AND lower(name) LIKE $3)');
    expect(postgres.params).toEqual([4, 4, 'a\\_%']);
  });
});
