import { DEFAULT_MCA_QUERY, mcaUrl, pageWindow } from './mca-query';

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
