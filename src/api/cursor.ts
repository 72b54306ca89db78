import { ValidationFailedError } from '../common/domain-errors';
import { MAX_ID } from '../common/ids';

const CURSOR_REFUSED = 'This cursor was not given by this API: follow the `next` link of a page, or start without it';

// A list's cursor: where the next page starts, as base64url JSON that integrators treat as opaque (its content may
// change between versions; only links the API gave are valid).
export const encodeCursor = (position: Record<string, number>): string =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

// The cursor's numbers, each a positive safe integer; anything else is refused as the `cursor` field's mistake.
export function decodeCursor<K extends string>(text: string, keys: readonly K[]): Record<K, number> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationFailedError({ cursor: CURSOR_REFUSED });
  }
  const record = value as Record<string, unknown> | null;
  const valid =
    typeof record === 'object' &&
    record !== null &&
    !Array.isArray(record) &&
    Object.keys(record).length === keys.length &&
    keys.every((key) => Number.isSafeInteger(record[key]) && (record[key] as number) >= 1);
  if (!valid) throw new ValidationFailedError({ cursor: CURSOR_REFUSED });
  return record as Record<K, number>;
}

// The most common cursor: the key (an id, a row number) the previous page ended on, for a keyset read.
export const encodeKeyCursor = (lastKey: number): string => encodeCursor({ last: lastKey });

export function decodeKeyCursor(text: string | undefined): number | null {
  if (text === undefined) return null;
  const { last } = decodeCursor(text, ['last']);
  if (last > MAX_ID) throw new ValidationFailedError({ cursor: CURSOR_REFUSED });
  return last;
}

// The `next` link of a page: the same query with the cursor after its last row, or null when the page was the last.
export function nextLink(
  path: string,
  query: Record<string, string | number | undefined>,
  cursor: string | null,
): string | null {
  if (cursor === null) return null;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  params.set('cursor', cursor);
  return `${path}?${params.toString()}`;
}
