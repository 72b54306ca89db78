import { ValidationFailedError } from '../common/domain-errors';
import { MAX_ID } from '../common/ids';

// A list's cursor: the id the previous page ended on (keyset, never an offset), opaque to the caller so that what
// it holds may change without breaking anyone's code.
export const encodeIdCursor = (lastId: number): string =>
  Buffer.from(JSON.stringify({ b: lastId })).toString('base64url');

export function decodeIdCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  let before: unknown;
  try {
    before = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { b?: unknown } | null)?.b;
  } catch {
    before = undefined;
  }
  if (typeof before !== 'number' || !Number.isSafeInteger(before) || before < 1 || before > MAX_ID)
    throw new ValidationFailedError({
      cursor: 'This cursor is not one this API gave: follow the `next` link of a page, or start from the first page.',
    });
  return before;
}

// The `next` link of a page: the same query with the cursor after its last row, or null when the page was the last.
export function nextLink(path: string, query: Record<string, string | number | undefined>, cursor: string | null) {
  if (cursor === null) return null;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  params.set('cursor', cursor);
  return `${path}?${params.toString()}`;
}
