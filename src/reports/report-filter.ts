import { SEARCH_MAX_LENGTH, STATUS_FILTERS, type StatusFilter } from '../tenants/mca-query';
import { filterLabel } from '../tenants/mca-view';
import { NO_FILTER, type ReportFilter } from './report-rows.sql';

export const isStatusFilter = (value: unknown): value is StatusFilter =>
  typeof value === 'string' && (STATUS_FILTERS as readonly string[]).includes(value);

// The filter as stored with a request: a row written by this version, so anything else reads as no filter.
export function parseFilter(json: string): ReportFilter {
  try {
    const value = JSON.parse(json) as { status?: unknown; q?: unknown };
    return {
      status: isStatusFilter(value.status) ? value.status : 'all',
      q: typeof value.q === 'string' ? value.q.slice(0, SEARCH_MAX_LENGTH) : '',
    };
  } catch {
    return NO_FILTER;
  }
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
