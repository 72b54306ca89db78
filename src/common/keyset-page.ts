// Keyset paging by id, newest first: the audit trail and Background work read their rows this way.

export interface KeysetCursor {
  before?: number; // rows older than this id
  after?: number; // rows newer than this id
}

export interface KeysetBound {
  op: '<' | '>';
  id: number;
}

export interface KeysetPage<T> {
  rows: T[];
  newerThan: number | null; // the cursor for newer rows, when there are some
  olderThan: number | null; // the cursor for older rows, when there are some
}

// One page and whether there are newer and older ones. `read(bound, limit)` gives the rows past `bound` nearest to
// it first: below it newest first ('<'), above it oldest first ('>'), the newest first without one.
export async function keysetPage<T extends { id: number }>(
  cursor: KeysetCursor,
  size: number,
  read: (bound: KeysetBound | null, limit: number) => Promise<T[]>,
): Promise<KeysetPage<T>> {
  const newestFirst = cursor.after === undefined;
  const boundId = cursor.after ?? cursor.before;
  const found = await read(boundId === undefined ? null : { op: newestFirst ? '<' : '>', id: boundId }, size + 1);
  const more = found.length > size;
  const rows = found.slice(0, size);
  if (!newestFirst) rows.reverse();
  if (rows.length === 0) return { rows, newerThan: null, olderThan: null };
  const first = rows[0].id;
  const last = rows[rows.length - 1].id;
  const newer = newestFirst ? boundId !== undefined && (await read({ op: '>', id: first }, 1)).length > 0 : more;
  const older = newestFirst ? more : (await read({ op: '<', id: last }, 1)).length > 0;
  return { rows, newerThan: newer ? first : null, olderThan: older ? last : null };
}

// The page's links: to the newest page, the newer and the older one; null when everything fits on one page.
export function keysetLinks(page: Omit<KeysetPage<unknown>, 'rows'>, url: (cursor: KeysetCursor) => string) {
  if (page.newerThan === null && page.olderThan === null) return null;
  return {
    newest: page.newerThan !== null ? url({}) : null,
    newer: page.newerThan !== null ? url({ after: page.newerThan }) : null,
    older: page.olderThan !== null ? url({ before: page.olderThan }) : null,
  };
}
