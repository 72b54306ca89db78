import { parseSearchParam, parseStatusParam, SEARCH_MAX_LENGTH } from '../tenants/mca-query';
import { MCA_BREADCRUMB, type Breadcrumb } from '../tenants/mca-view';
import { REPORT_FORMATS } from './report-columns';
import { filterText, isFiltered, parseFilter, type ReportFilter } from './report-filter';
import type { RecipientPolicy } from './report-recipients';
import type { ReportRequest, ReportState } from './report-request.entity';

export const REPORTS_TITLE = 'MCA reports';

// Breadcrumb trails: the reports page hangs below the MCA page, recent reports and schedules below the reports page.
export const REPORTS_TRAIL: readonly Breadcrumb[] = [MCA_BREADCRUMB];
export const BELOW_REPORTS_TRAIL: readonly Breadcrumb[] = [
  ...REPORTS_TRAIL,
  { label: REPORTS_TITLE, href: '/reports' },
];

const STATE_LABELS: Record<ReportState, string> = {
  queued: 'Queued',
  running: 'Running',
  sent: 'Sent',
  failed: 'Failed',
};

const FORMAT_LABELS = { csv: 'CSV', xlsx: 'XLSX' } as const;
const numberFormat = new Intl.NumberFormat('en-GB');

export function recentView(requests: ReportRequest[], now: Date) {
  const items = requests.map((r) => ({
    id: r.id,
    state: r.state,
    stateLabel: STATE_LABELS[r.state],
    formatLabel: FORMAT_LABELS[r.format],
    filterText: filterText(parseFilter(r.filter)),
    email: r.email,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    running: r.state === 'running',
    progress:
      r.state === 'running' && r.rowsTotal !== null
        ? {
            done: r.rowsWritten,
            total: Math.max(r.rowsTotal, r.rowsWritten),
            text: `${numberFormat.format(r.rowsWritten)} of ${numberFormat.format(Math.max(r.rowsTotal, r.rowsWritten))} tenants`,
          }
        : null,
    rowsText: r.state === 'sent' ? `${numberFormat.format(r.rowsWritten)} tenants` : null,
    // A failed attempt's reason stays beside "Queued" until the next attempt starts ("… (trying again)").
    error: r.state === 'failed' || r.state === 'queued' ? r.error : null,
    downloadUrl: r.state === 'sent' && r.expiresAt > now ? `/reports/${r.id}/download` : null,
    expiresAt: r.expiresAt,
  }));
  return { items, active: items.some((i) => i.state === 'queued' || i.state === 'running') };
}

// The form's values: from the MCA page's link (its filter and search, read by the page's own parser), or what was
// sent back with an error; and where the report may go.
export function formView(email: string, source: Record<string, unknown>, policy: RecipientPolicy) {
  const filter: ReportFilter = {
    status: parseStatusParam(source.status),
    q: parseSearchParam(source.q).slice(0, SEARCH_MAX_LENGTH),
  };
  const filtered = isFiltered(filter);
  const format =
    typeof source.format === 'string' && (REPORT_FORMATS as readonly string[]).includes(source.format)
      ? source.format
      : 'csv';
  return {
    email: typeof source.email === 'string' ? source.email : email,
    recipientHint:
      policy.domains.length === 0
        ? 'The report is emailed to your own address when it is ready.'
        : `The report is emailed to this one address when it is ready: your own, or one at ${policy.domains.join(', ')}.`,
    format,
    status: filter.status,
    q: filter.q,
    filtered,
    filterText: filterText(filter),
    scope: source.scope === 'all' || !filtered ? 'all' : 'filtered',
  };
}
