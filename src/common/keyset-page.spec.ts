import { keysetLinks, keysetPage, type KeysetBound } from './keyset-page';

// Rows with ids 1..25, read as a database would by the bound's rule.
const IDS = Array.from({ length: 25 }, (_, i) => ({ id: i + 1 }));
const read = (bound: KeysetBound | null, limit: number) => {
  const rows = !bound
    ? [...IDS].reverse()
    : bound.op === '<'
      ? IDS.filter((row) => row.id < bound.id).reverse()
      : IDS.filter((row) => row.id > bound.id);
  return Promise.resolve(rows.slice(0, limit));
};
const ids = (page: { rows: { id: number }[] }) => page.rows.map((row) => row.id);

describe('keysetPage', () => {
  it('should give the newest page first, with only an older one', async () => {
    const page = await keysetPage({}, 10, read);
    expect(ids(page)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(page).toMatchObject({ newerThan: null, olderThan: 16 });
  });

  it('should page older and back newer, newest first each time', async () => {
    const older = await keysetPage({ before: 16 }, 10, read);
    expect(ids(older)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
    expect(older).toMatchObject({ newerThan: 15, olderThan: 6 });
    const oldest = await keysetPage({ before: 6 }, 10, read);
    expect(ids(oldest)).toEqual([5, 4, 3, 2, 1]);
    expect(oldest).toMatchObject({ newerThan: 5, olderThan: null });
    const back = await keysetPage({ after: 15 }, 10, read);
    expect(ids(back)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(back).toMatchObject({ newerThan: null, olderThan: 16 });
  });

  it('should link only to the pages there are', async () => {
    const url = (cursor: object) => `/list?${new URLSearchParams(cursor as Record<string, string>).toString()}`;
    expect(keysetLinks({ newerThan: null, olderThan: null }, url)).toBeNull();
    expect(keysetLinks({ newerThan: 15, olderThan: 6 }, url)).toEqual({
      newest: '/list?',
      newer: '/list?after=15',
      older: '/list?before=6',
    });
    expect(await keysetPage({}, 10, () => Promise.resolve([]))).toEqual({ rows: [], newerThan: null, olderThan: null });
  });
});
