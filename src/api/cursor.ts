import { ValidationFailedError } from '../common/domain-errors';

const CURSOR_REFUSED = 'This cursor was not given by this API: start again without it';

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
