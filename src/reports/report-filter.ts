import { parseSearchParam, parseStatusParam, SEARCH_MAX_LENGTH } from '../tenants/mca-query';
import { filterLabel } from '../tenants/mca-view';
import type { TenantFilter } from '../tenants/tenants.repository';

// Which tenants a report lists: every tenant of the broker, or those the MCA page's status filter and search show
// (all of them, not only the page's first matches).
export type ReportFilter = TenantFilter;

export const NO_FILTER: ReportFilter = { status: 'all', q: '' };

export type FilterCheck = { filter: ReportFilter } | { error: string };

// A report's filter is read by the MCA page's own parser, and refused where the page would read it otherwise: the
// page quietly drops what it cannot use (a control character, a status it does not know), but a filter kept for a
// report or a schedule must be exactly the one the person saw. Too long a search the page refuses as well.
export function checkFilter(status: unknown, q: unknown): FilterCheck {
  const rawStatus = status === undefined || status === '' ? 'all' : status;
  if (typeof rawStatus !== 'string' || parseStatusParam(rawStatus) !== rawStatus)
    return { error: 'That status filter does not exist: choose every tenant instead' };
  const rawSearch = q === undefined ? '' : q;
  if (typeof rawSearch !== 'string') return { error: 'The search must be text: choose every tenant instead' };
  const search = parseSearchParam(rawSearch);
  if (search !== rawSearch.trim())
    return { error: 'The search contains characters that cannot be typed (control characters): search again' };
  if (search.length > SEARCH_MAX_LENGTH) return { error: `A search is at most ${SEARCH_MAX_LENGTH} characters` };
  return { filter: { status: parseStatusParam(rawStatus), q: search } };
}

// The filter as stored with a request, checked again: a row queued before these checks may hold one the database
// cannot run.
export function storedFilter(json: string): FilterCheck {
  try {
    const value = JSON.parse(json) as { status?: unknown; q?: unknown } | null;
    return checkFilter(value?.status, value?.q);
  } catch {
    return { error: 'The stored filter is not valid JSON' };
  }
}

// For showing a stored filter: one that no longer passes reads as none.
export function parseFilter(json: string): ReportFilter {
  const checked = storedFilter(json);
  return 'filter' in checked ? checked.filter : NO_FILTER;
}

export const isFiltered = (filter: ReportFilter): boolean => filter.status !== 'all' || filter.q !== '';

// "Every tenant", or "Status “No acceptance provided”, matching “contoso”".
export function filterText(filter: ReportFilter): string {
  if (!isFiltered(filter)) return 'Every tenant';
  const parts: string[] = [];
  if (filter.status !== 'all') parts.push(`Status “${filterLabel(filter.status)}”`);
  if (filter.q !== '') parts.push(`matching “${filter.q}”`);
  const text = parts.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
