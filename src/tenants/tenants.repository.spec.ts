import { POSTGRES, SQLITE } from '../database/dialect';
import { DEFAULT_MCA_QUERY, type McaQuery } from './mca-query';
import {
  attestationCountsStatement,
  pageStatement,
  SEARCH_MATCH_CAP,
  SEARCH_TEXT_SQL,
  searchCountsStatement,
  searchPageStatement,
  seekStatements,
} from './tenants.repository';

// What the statements mean (their parameters, the order of NULLs); that each one is served by its index is
// proven on both databases by the query plan test (test/e2e/query-plans.e2e-spec.ts).
const query = (changes: Partial<McaQuery>): McaQuery => ({ ...DEFAULT_MCA_QUERY, ...changes });
const forward = { limit: 25, queryOffset: 50, reverse: false };

describe('pageStatement', () => {
  it('should confine the page to the broker and bind every value', () => {
    expect(pageStatement(SQLITE, 4, query({}), forward).params).toEqual([4, 25, 50]);
    expect(pageStatement(POSTGRES, 4, query({ status: 'none' }), forward).sql).toContain('t.broker_id = $1');
  });

  it('should sort a tenant without a date as the oldest on both databases, in either direction', () => {
    expect(pageStatement(SQLITE, 4, query({ sort: 'date', dir: 'desc' }), forward).sql).toContain(
      'ORDER BY t.accepted_at DESC, t.name DESC, t.id DESC',
    );
    expect(pageStatement(POSTGRES, 4, query({ sort: 'date', dir: 'desc' }), forward).sql).toContain(
      'ORDER BY t.accepted_at DESC NULLS LAST, t.name DESC, t.id DESC',
    );
    const fromTheEnd = pageStatement(POSTGRES, 4, query({ sort: 'date', dir: 'desc' }), { ...forward, reverse: true });
    expect(fromTheEnd.sql).toContain('ORDER BY t.accepted_at ASC NULLS FIRST, t.name ASC, t.id ASC');
  });

  it("should search a quoted FTS5 phrase with its quotes doubled, alone or with the broker's word", () => {
    const { params } = pageStatement(SQLITE, 4, query({ q: 'say "hi"', status: 'none' }), forward);
    expect(params).toEqual([
      4,
      4,
      4,
      '{name domain microsoft_tenant_id} : "say ""hi"""',
      'broker : "\u{E000}4\u{E000}" AND {name domain microsoft_tenant_id} : "say ""hi"""',
      4,
      4,
      4,
      'none',
      25,
      50,
    ]);
  });

  it("should search the one text of the trigram index on PostgreSQL, its first matches by id from the broker's first", () => {
    const { sql } = searchCountsStatement(POSTGRES, 4, 'wingtip');
    expect(sql).toContain(
      `t.broker_id = $1 AND t.id >= (SELECT s.id FROM tenants AS s WHERE s.broker_id = ANY (ARRAY[$1::integer]) ORDER BY s.broker_id, s.id LIMIT 1) AND ${SEARCH_TEXT_SQL} LIKE lower($2) ORDER BY t.id LIMIT ${SEARCH_MATCH_CAP}`,
    );
  });

  it('should read a page without a search by its ids first (a deferred join)', () => {
    expect(pageStatement(POSTGRES, 4, query({}), forward).sql).toMatch(
      /^SELECT .* FROM \(SELECT t\.id FROM tenants AS t WHERE t\.broker_id = \$1 ORDER BY t\.name ASC, t\.id ASC LIMIT \$2 OFFSET \$3\) AS p JOIN tenants AS t ON t\.id = p\.id ORDER BY t\.name ASC, t\.id ASC$/,
    );
  });

  it('should match LIKE wildcards literally on PostgreSQL', () => {
    expect(pageStatement(POSTGRES, 4, query({ q: '50%_off' }), forward).params).toEqual([4, '%50\\%\\_off%', 25, 50]);
  });

  it('should match a short term at the start of the name, folded as each database folds it', () => {
    expect(pageStatement(SQLITE, 4, query({ q: 'Ab' }), forward).params).toEqual([4, 'ab', 'ab\u{10FFFF}', 25, 50]);
    expect(searchCountsStatement(POSTGRES, 4, 'A_').params).toEqual([4, 'a\\_%']);
  });

  it('should filter a search by status after counting it', () => {
    const { params } = searchPageStatement(POSTGRES, 4, query({ q: 'wingtip', status: 'direct' }), {
      limit: 25,
      queryOffset: 50,
    });
    expect(params).toEqual([4, '%wingtip%', 'direct', 25, 50]);
  });
});

describe('seekStatements', () => {
  const from = { id: 7, name: 'Nod', status: 'pending' as const, status_rank: 1 };

  it('should read on from the cursor row, turned around for the previous page', () => {
    const [next] = seekStatements(SQLITE, 4, query({ status: 'none' }), from, 'after', 25);
    expect(next.params).toEqual([4, 'none', 'Nod', 7, 25]);
    expect(next.sql).toContain('(t.name, t.id) > (?, ?) ORDER BY t.name ASC, t.id ASC');
    expect(seekStatements(POSTGRES, 4, query({ dir: 'desc' }), from, 'before', 25)[0].sql).toContain(
      '(t.name, t.id) > ($2, $3) ORDER BY t.name ASC, t.id ASC',
    );
  });

  it("should read the rest of the cursor row's status, then the statuses after it, in the status order", () => {
    const [same, later] = seekStatements(SQLITE, 4, query({ sort: 'status' }), from, 'after', 25);
    expect(same.params).toEqual([4, 'pending', 'Nod', 7, 25]);
    expect(later.params).toEqual([4, 1, 25]);
  });
});

describe('attestationCountsStatement', () => {
  it('should bind the broker first, as it comes first in the text', () => {
    expect(attestationCountsStatement(SQLITE, 4)).toEqual({
      sql:
        "SELECT 'ready' AS filter, count(*) AS tenant_count FROM tenants WHERE broker_id = ? AND attestation_state = ? UNION ALL " +
        "SELECT 'expired' AS filter, count(*) AS tenant_count FROM tenants WHERE broker_id = ? AND attestation_state = ? UNION ALL " +
        "SELECT 'reaccept' AS filter, count(*) AS tenant_count FROM tenants WHERE broker_id = ? AND reacceptance = ?",
      params: [4, 'accepted', 4, 'expired', 4, 'needed'],
    });
  });
});
