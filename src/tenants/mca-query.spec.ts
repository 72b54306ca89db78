import { DEFAULT_MCA_QUERY, MAX_ROWS_ASKED, mcaUrl, pageWindow, parseMcaQuery, parseRowIds } from './mca-query';

describe('mcaUrl', () => {
  it('should give the bare path when the state is the default', () => {
    expect(mcaUrl(DEFAULT_MCA_QUERY)).toBe('/mca');
  });

  it('should keep only what differs from the defaults, in a fixed order', () => {
    expect(mcaUrl(DEFAULT_MCA_QUERY, { size: 50, page: 3, dir: 'desc', q: 'a&b c', status: 'none' })).toBe(
      '/mca?status=none&q=a%26b+c&dir=desc&page=3&size=50',
    );
  });

  it('should leave out the direction when it is the default of the sort', () => {
    expect(mcaUrl(DEFAULT_MCA_QUERY, { sort: 'date', dir: 'desc' })).toBe('/mca?sort=date');
    expect(mcaUrl(DEFAULT_MCA_QUERY, { sort: 'date', dir: 'asc' })).toBe('/mca?sort=date&dir=asc');
  });

  it('should put a cursor last', () => {
    expect(mcaUrl(DEFAULT_MCA_QUERY, { page: 3 }, { direction: 'after', id: 42 })).toBe('/mca?page=3&after=42');
    expect(mcaUrl(DEFAULT_MCA_QUERY, { page: 1, size: 10 }, { direction: 'before', id: 7 })).toBe(
      '/mca?size=10&before=7',
    );
  });
});

describe('pageWindow', () => {
  it('should read the first half from the start', () => {
    expect(pageWindow(100, 2, 25)).toEqual({
      page: 2,
      pageCount: 4,
      offset: 25,
      limit: 25,
      reverse: false,
      queryOffset: 25,
    });
  });

  it('should read a page past the middle from the end', () => {
    expect(pageWindow(100, 4, 25)).toEqual({
      page: 4,
      pageCount: 4,
      offset: 75,
      limit: 25,
      reverse: true,
      queryOffset: 0,
    });
    expect(pageWindow(101, 5, 25)).toEqual({
      page: 5,
      pageCount: 5,
      offset: 100,
      limit: 1,
      reverse: true,
      queryOffset: 0,
    });
    expect(pageWindow(1000, 30, 25)).toMatchObject({ offset: 725, reverse: true, queryOffset: 250 });
  });

  it('should show the last page when asked for a page past it', () => {
    expect(pageWindow(30, 99, 25)).toMatchObject({ page: 2, offset: 25, limit: 5 });
  });

  it('should have one empty page when nothing matches', () => {
    expect(pageWindow(0, 3, 25)).toEqual({
      page: 1,
      pageCount: 1,
      offset: 0,
      limit: 0,
      reverse: false,
      queryOffset: 0,
    });
  });
});

describe('parseMcaQuery', () => {
  it('should give the defaults when the query string is empty', () => {
    expect(parseMcaQuery({})).toEqual({ query: DEFAULT_MCA_QUERY, cursor: null });
  });

  it('should read every field the page links to', () => {
    expect(
      parseMcaQuery({ status: 'ready', q: ' contoso ', sort: 'date', dir: 'asc', page: '12', size: '50', after: '42' }),
    ).toEqual({
      query: { status: 'ready', q: 'contoso', sort: 'date', dir: 'asc', page: 12, size: 50 },
      cursor: { direction: 'after', id: 42 },
    });
  });

  it("should take the sort's own direction when none is given", () => {
    expect(parseMcaQuery({ sort: 'date' }).query.dir).toBe('desc');
    expect(parseMcaQuery({ sort: 'status' }).query.dir).toBe('asc');
  });

  it('should fall back to the defaults when values are unknown, malformed or out of range', () => {
    expect(
      parseMcaQuery({ status: 'bogus', sort: 'id', dir: 'up', page: '0', size: '30', after: '0', before: 'x' }),
    ).toEqual({ query: DEFAULT_MCA_QUERY, cursor: null });
    expect(parseMcaQuery({ page: '12345678' }).query.page).toBe(1);
    expect(parseMcaQuery({ page: '-3' }).query.page).toBe(1);
    expect(parseMcaQuery({ page: '2.5' }).query.page).toBe(1);
    expect(parseMcaQuery({ size: '' }).query.size).toBe(25);
  });

  it('should take the first of a repeated parameter and ignore values that are not text', () => {
    expect(parseMcaQuery({ status: ['none', 'direct'], page: ['3', '4'] }).query).toMatchObject({
      status: 'none',
      page: 3,
    });
    expect(parseMcaQuery({ q: { nested: 'x' }, status: 7 }).query).toMatchObject({ q: '', status: 'all' });
  });

  it('should strip control characters (a NUL above all) from the search and trim it', () => {
    expect(parseMcaQuery({ q: ' wing\u0000tip\u001f\u007f ' }).query.q).toBe('wingtip');
  });

  it('should refuse a cursor id beyond 32 bits, so that no database is asked to compare it', () => {
    expect(parseMcaQuery({ after: '2147483647' }).cursor).toEqual({ direction: 'after', id: 2_147_483_647 });
    expect(parseMcaQuery({ after: '2147483648' }).cursor).toBeNull();
    expect(parseMcaQuery({ before: '99999999999' }).cursor).toBeNull();
    expect(parseMcaQuery({ after: '012' }).cursor).toBeNull();
  });

  it('should prefer after to before when both are given', () => {
    expect(parseMcaQuery({ after: '5', before: '9' }).cursor).toEqual({ direction: 'after', id: 5 });
    expect(parseMcaQuery({ before: '9' }).cursor).toEqual({ direction: 'before', id: 9 });
  });
});

describe('parseRowIds', () => {
  it('should read one id or several, each once', () => {
    expect(parseRowIds('7')).toEqual([7]);
    expect(parseRowIds(['7', '3', '7'])).toEqual([7, 3]);
  });

  it.each([
    ['nothing', undefined],
    ['an empty list', []],
    ['a word', 'abc'],
    ['zero', '0'],
    ['a leading zero', '07'],
    ['an id past 32 bits', '2147483648'],
    ['a nested parameter', { a: '1' }],
    ['one bad id among good ones', ['1', 'x']],
    ['more ids than a page holds', Array.from({ length: MAX_ROWS_ASKED + 1 }, (_, i) => String(i + 1))],
  ])('should refuse %s', (_, value) => {
    expect(parseRowIds(value)).toBeNull();
  });

  it('should take as many ids as the largest page shows', () => {
    expect(parseRowIds(Array.from({ length: MAX_ROWS_ASKED }, (_, i) => String(i + 1)))).toHaveLength(MAX_ROWS_ASKED);
  });
});
