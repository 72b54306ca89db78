import { firstQueryText } from '../common/query-text';
import type { KeysetCursor } from '../common/keyset-page';
import { parseId } from '../common/ids';
import type { FieldMessages } from '../common/domain-errors';

// The audit page's filters, as typed in its GET form, and the keyset cursor of its paging.
export interface AuditFilters {
  action: string;
  subjectType: string;
  subjectId: string;
  actor: string;
  from: string; // YYYY-MM-DD, UTC, inclusive
  to: string; // YYYY-MM-DD, UTC, inclusive
}

export type AuditCursor = KeysetCursor;

export const AUDIT_PATH = '/audit';
export const AUDIT_PAGE_SIZE = 50;

const TEXT_FIELDS = [
  ['action', 'Action', 100],
  ['subjectType', 'Subject type', 64],
  ['subjectId', 'Subject id', 100],
  ['actor', 'Actor', 300],
] as const;
const ACTION_CODE = /^[a-z][a-z0-9_]*(\.[a-z0-9_-]+)*$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const validDate = (text: string): boolean => {
  const match = DATE.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
};

const cursorId = (value: unknown): number | undefined => parseId(firstQueryText(value)) ?? undefined;

// Lenient about the cursor (a stale or edited one just starts from the newest), strict about the fields a person
// typed: each refused one gets a message next to it.
export function parseAuditQuery(query: Record<string, unknown>): {
  filters: AuditFilters;
  cursor: AuditCursor;
  errors: FieldMessages;
} {
  const errors: FieldMessages = {};
  const filters = { action: '', subjectType: '', subjectId: '', actor: '', from: '', to: '' };
  for (const [field, label, max] of TEXT_FIELDS) {
    const value = firstQueryText(query[field]);
    if (value.length > max) errors[field] = `${label} must be at most ${max} characters`;
    else if (/[\u0000-\u001f\u007f]/.test(value))
      errors[field] = `${label} contains characters that are not valid text`;
    filters[field] = value;
  }
  // The action comes from a list; a value that cannot be an action's code (e.g. an edited URL) is refused.
  if (!errors.action && filters.action !== '' && !ACTION_CODE.test(filters.action))
    errors.action = 'Choose an action from the list';
  for (const field of ['from', 'to'] as const) {
    const value = firstQueryText(query[field]);
    filters[field] = value;
    if (value !== '' && !validDate(value)) errors[field] = 'Enter a date like 2026-11-30';
  }
  if (!errors.from && !errors.to && filters.from !== '' && filters.to !== '' && filters.from > filters.to)
    errors.to = 'The end date is before the start date';
  const before = cursorId(query.before);
  const after = before === undefined ? cursorId(query.after) : undefined;
  return { filters, cursor: { before, after }, errors };
}

// The page's URL for these filters (empty ones left out) and cursor.
export function auditUrl(filters: AuditFilters, cursor: AuditCursor = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== '') params.set(key, value);
  if (cursor.before !== undefined) params.set('before', String(cursor.before));
  if (cursor.after !== undefined) params.set('after', String(cursor.after));
  const text = params.toString();
  return text ? `${AUDIT_PATH}?${text}` : AUDIT_PATH;
}
