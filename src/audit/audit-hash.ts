import { createHash } from 'node:crypto';

// The previous hash of a chain's first event.
export const GENESIS_HASH = '0'.repeat(64);

// What an event's hash covers. Stored columns are read back into this shape by the verifier, so a change to any of
// them (or to the order of the chain) shows.
export interface AuditContent {
  broker: number | null;
  actor: { type: string; id: number | null; label: string };
  action: string;
  subject: { type: string; id: string } | null;
  data: unknown;
  time: string; // ISO 8601, milliseconds, UTC
}

// JSON with every object's keys in code-point order at every depth: one text per value, whatever order the keys
// were built in.
export function canonicalJson(value: unknown): string {
  const toJson = (value as { toJSON?: unknown } | null)?.toJSON;
  if (typeof toJson === 'function') return canonicalJson((toJson as () => unknown).call(value));
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// Data as it will read back from its stored JSON text (Dates become strings, undefined disappears), so that the
// hash computed now is the one recomputed later.
export function normaliseData(data: Record<string, unknown> | undefined): Record<string, unknown> {
  return JSON.parse(canonicalJson(data ?? {})) as Record<string, unknown>;
}

export function hashEvent(prevHash: string, content: AuditContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}
