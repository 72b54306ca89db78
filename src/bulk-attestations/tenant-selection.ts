import { parseId } from '../common/ids';
import { parseSearchParam, parseStatusParam } from '../tenants/mca-query';
import type { TenantFilter } from '../tenants/tenants.repository';
import { MAX_UPLOAD_ROWS } from './spreadsheet-reader';

// Tenants chosen on the MCA list: the rows ticked (their ids, from every page visited), or "all N matching" kept as
// the list's filter and search, never as N ids, so that it names the same tenants however many they are.
export type TenantSelection = { kind: 'ids'; ids: number[] } | { kind: 'filter'; filter: TenantFilter };

// The list's form sends `tenant` once per ticked row, or `matching=all` with the filter's `status` and `q`.
export interface SelectionFields {
  tenant?: unknown;
  matching?: unknown;
  status?: unknown;
  q?: unknown;
}

export const NOTHING_SELECTED = 'Select at least one tenant on the list first.';
export const TOO_MANY_SELECTED = `Select at most ${MAX_UPLOAD_ROWS.toLocaleString('en')} tenants at once: narrow the filter or the search.`;

// Null when nothing is selected. Ids that are not ids are dropped (the form only ever sends ids), and ids of another
// broker find no tenant when the selection is read.
export function parseSelection(fields: SelectionFields): TenantSelection | null {
  if (fields.matching === 'all')
    return { kind: 'filter', filter: { status: parseStatusParam(fields.status), q: parseSearchParam(fields.q) } };
  const raw: unknown[] = Array.isArray(fields.tenant)
    ? fields.tenant
    : fields.tenant === undefined
      ? []
      : [fields.tenant];
  const ids = [...new Set(raw.map((value) => (typeof value === 'string' ? parseId(value) : null)))].filter(
    (id): id is number => id !== null,
  );
  return ids.length === 0 ? null : { kind: 'ids', ids };
}

// The selection as the hidden inputs of the next form: what it carries on to the batch or the template.
export function selectionInputs(selection: TenantSelection): { name: string; value: string }[] {
  if (selection.kind === 'ids') return selection.ids.map((id) => ({ name: 'tenant', value: String(id) }));
  return [
    { name: 'matching', value: 'all' },
    { name: 'status', value: selection.filter.status },
    { name: 'q', value: selection.filter.q },
  ];
}
