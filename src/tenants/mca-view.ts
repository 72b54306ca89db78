import type { SyncSummary } from './sync-status';
import type { UserRole } from '../auth/user-role';
import {
  type AttestationFilter,
  DEFAULT_DIRECTION,
  isAttestationFilter,
  mcaUrl,
  PAGE_SIZES,
  STATUS_FILTERS,
  type McaQuery,
  type PageCursor,
  type SortKey,
} from './mca-query';
import { sumCounts, type McaData, type McaRows } from './mca.service';
import { canSeek, SEARCH_MATCH_CAP, TRIGRAM_MIN_LENGTH, type TenantRow } from './tenants.repository';
import { tenantActions } from './tenant-actions';
import {
  ATTESTATION_WAIT_LABELS,
  MARK_MEANINGS,
  REFRESHING_STATES,
  STATUS_MEANINGS,
  TENANT_STATUS_LABELS,
  WAIT_MEANINGS,
  type TenantStatus,
} from './tenant-status';

const FILTER_LABELS: Record<AttestationFilter, string> = {
  ready: 'Ready to finalize',
  expired: 'Link expired',
  reaccept: 'Re-acceptance needed',
};
// A filter's name as the page's chips say it; reports and schedules name their filter the same way.
export const filterLabel = (filter: Exclude<McaQuery['status'], 'all'>): string =>
  isAttestationFilter(filter) ? FILTER_LABELS[filter] : TENANT_STATUS_LABELS[filter];

export const MCA_TITLE = 'Microsoft Customer Agreement';

// The pages reached from the MCA page (attestations, reports) name it in their breadcrumb trail.
export interface Breadcrumb {
  label: string;
  href: string;
}
export const MCA_BREADCRUMB: Breadcrumb = { label: MCA_TITLE, href: '/mca' };

const numberFormat = new Intl.NumberFormat('en-GB');
const percentFormat = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });
const dayFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
// The app's times are UTC, and say so (as formatDate does).
const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

// The bar's order: acceptance first, then what still needs work.
const BAR_ORDER: TenantStatus[] = ['attested', 'direct', 'pending', 'none'];
const BAR_WIDTH = 1000;

const HOW_ACCEPTED: Partial<Record<TenantStatus, string>> = {
  attested: 'by partner attestation',
  direct: 'directly by the customer',
};

function acceptedHow(row: TenantRow): string | null {
  const how = HOW_ACCEPTED[row.status];
  if (!how) return null;
  const notes = [
    row.status === 'attested' && row.attestedOutside ? 'made outside MCA Manager' : null,
    row.status === 'attested' && row.directlySigned ? 'also accepted directly' : null,
  ].filter(Boolean);
  return notes.length > 0 ? `${how} (${notes.join('; ')})` : how;
}

const SORT_LABELS: Record<SortKey, string> = { name: 'Tenant', status: 'Status', date: 'Acceptance provided' };

// `reacceptance`: accepted tenants (still in Partner Center) whose every acceptance is older than the broker requires:
// shown as accepted, not counted as compliant.
export function summaryView(current: Record<TenantStatus, number>, removed: number, reacceptance = 0) {
  const total = sumCounts(current);
  let x = 0;
  const segments = BAR_ORDER.map((status) => {
    const count = current[status];
    const share = total > 0 ? count / total : 0;
    const segment = {
      status,
      label: TENANT_STATUS_LABELS[status],
      countText: numberFormat.format(count),
      percentText: percentFormat.format(share),
      x: round(x),
      width: round(share * BAR_WIDTH),
    };
    x += share * BAR_WIDTH;
    return segment;
  });
  const accepted = current.attested + current.direct;
  const compliant = Math.max(0, accepted - reacceptance);
  return {
    hasTenants: total > 0,
    totalText: numberFormat.format(total),
    acceptedText: numberFormat.format(compliant),
    complianceText: total > 0 ? percentFormat.format(compliant / total) : '–',
    reacceptanceText:
      reacceptance > 0
        ? `${numberFormat.format(reacceptance)} accepted ${tenants(reacceptance)} ${reacceptance === 1 ? 'needs' : 'need'} to accept again (older than your organisation requires) and ${reacceptance === 1 ? 'is' : 'are'} not counted as compliant.`
        : null,
    removedText:
      removed > 0
        ? `${numberFormat.format(removed)} ${tenants(removed)} removed from Partner Center ${removed === 1 ? 'is' : 'are'} still listed, but not counted here.`
        : null,
    segments,
    barWidth: BAR_WIDTH,
    barDescription: segments.map((s) => `${s.label}: ${s.countText} (${s.percentText})`).join('; '),
  };
}

const round = (value: number): number => Math.round(value * 100) / 100;
const tenants = (count: number): string => (count === 1 ? 'tenant' : 'tenants');

// Page numbers around the current one, with the first and the last, and gaps between.
export function pageLinks(page: number, pageCount: number): (number | null)[] {
  const wanted = new Set(
    [1, pageCount, page - 2, page - 1, page, page + 1, page + 2].filter((n) => n >= 1 && n <= pageCount),
  );
  const sorted = [...wanted].sort((a, b) => a - b);
  const links: (number | null)[] = [];
  sorted.forEach((n, i) => {
    if (i > 0 && n - sorted[i - 1] > 1) links.push(null);
    links.push(n);
  });
  return links;
}

// Fields named one by one: spreading the row costs more than the rest of the row's view (it shows in profiles at 25
// rows a request).
function rowView(row: TenantRow, role: UserRole) {
  const removed = row.removedAt !== null;
  const statusLabel = TENANT_STATUS_LABELS[row.status];
  const waitLabel =
    row.status === 'pending' && row.attestationState ? (ATTESTATION_WAIT_LABELS[row.attestationState] ?? null) : null;
  const newAttestationLabel =
    row.status !== 'pending' && row.attestationState && ATTESTATION_WAIT_LABELS[row.attestationState]
      ? `New attestation: ${ATTESTATION_WAIT_LABELS[row.attestationState]}`
      : null;
  return {
    id: row.id,
    name: row.name,
    domain: row.domain,
    microsoftTenantId: row.microsoftTenantId,
    status: row.status,
    removed,
    statusLabel,
    waitLabel,
    // What a screen reader hears when the row changes in place; the page's script also compares it to see a change.
    stateText: [`${row.name}: ${statusLabel}`, waitLabel, newAttestationLabel].filter(Boolean).join(', '),
    // The row refreshes itself while the app may move it on without the user: the customer's acceptance (learned by
    // polling Partner Center), then auto-finalize or a finalize asked for.
    refreshes: !removed && row.attestationState !== null && REFRESHING_STATES.includes(row.attestationState),
    acceptedIso: row.acceptedAt?.toISOString() ?? null,
    acceptedText: row.acceptedAt ? dayFormat.format(row.acceptedAt) : null,
    acceptedHow: acceptedHow(row),
    // The name alone in the list ("Name <email>" stored); the acceptance page shows the email too.
    signatory: row.status === 'attested' ? (row.agreementSignatory?.replace(/\s*<[^>]*>$/, '') ?? null) : null,
    // An attestation of the app that waits on an accepted tenant: a sub-state, the status stays.
    newAttestationLabel,
    reacceptanceNeeded: row.reacceptanceNeeded,
    unconfirmed: row.unconfirmed,
    actions: tenantActions({ id: row.id, status: row.status, removed, attestationState: row.attestationState }, role),
  };
}

function sortColumn(query: McaQuery, key: SortKey) {
  const current = query.sort === key;
  const dir = current ? (query.dir === 'asc' ? 'desc' : 'asc') : DEFAULT_DIRECTION[key];
  return {
    label: SORT_LABELS[key],
    href: mcaUrl(query, { sort: key, dir, page: 1 }),
    ariaSort: current ? (query.dir === 'asc' ? 'ascending' : 'descending') : null,
    arrow: current ? (query.dir === 'asc' ? '▲' : '▼') : '',
  };
}

// Next and Previous start from the last and the first row shown, where keyset paging serves the order.
function cursorAt(data: McaData, direction: PageCursor['direction']): PageCursor | null {
  const row = direction === 'after' ? data.rows.at(-1) : data.rows[0];
  return row && canSeek(data.query) ? { direction, id: row.id } : null;
}

function emptyState(data: McaData): 'no-tenants' | 'no-match' | 'no-status' | null {
  if (data.total > 0) return null;
  if (data.query.q !== '') return 'no-match';
  if (data.query.status !== 'all' && sumCounts(data.chipCounts) > 0) return 'no-status';
  return 'no-tenants';
}

// The rows asked for again, and the summary they count in (swapped in out of band).
export function mcaRowsView(data: McaRows, role: UserRole) {
  return {
    rows: data.rows.map((row) => rowView(row, role)),
    summary: summaryView(data.current, data.removed, data.reacceptance),
  };
}

// `loadedAt`: without JavaScript the page says when it was read, beside a link that reads it again.
export function mcaView(data: McaData, role: UserRole, sync: SyncSummary | null, loadedAt: Date) {
  const { query, window } = data;
  const first = window.offset + 1;
  const last = window.offset + window.limit;
  const shortSearch = query.q !== '' && [...query.q].length < TRIGRAM_MIN_LENGTH;
  return {
    title: MCA_TITLE,
    query,
    currentUrl: mcaUrl(query),
    loaded: { iso: loadedAt.toISOString(), text: `${timeFormat.format(loadedAt)} UTC` },
    // Carried by the search form, so that a new search keeps the filter and the order.
    hiddenDir: query.dir === DEFAULT_DIRECTION[query.sort] ? null : query.dir,
    clearSearchUrl: mcaUrl(query, { q: '', page: 1 }),
    shortSearch,
    // A term too short for trigrams matches the start of names only (an index read instead of a scan of every
    // name, DESIGN.md "Scale"): every result line says so, not only the empty one.
    matchText: query.q === '' ? null : shortSearch ? `whose name starts with “${query.q}”` : `matching “${query.q}”`,
    showAllUrl: mcaUrl(query, { status: 'all', page: 1 }),
    filterLabel: query.status === 'all' ? null : filterLabel(query.status),
    sync,
    summary: summaryView(data.current, data.removed, data.reacceptance),
    // "Re-acceptance needed" only where it has tenants (or is the filter shown): most brokers never need it.
    chips: STATUS_FILTERS.filter(
      (status) => status !== 'reaccept' || data.attestationCounts.reaccept > 0 || query.status === status,
    ).map((status) => ({
      status,
      label: status === 'all' ? 'All' : filterLabel(status),
      countText: numberFormat.format(
        status === 'all'
          ? sumCounts(data.chipCounts)
          : isAttestationFilter(status)
            ? data.attestationCounts[status]
            : data.chipCounts[status],
      ),
      href: mcaUrl(query, { status, page: 1 }),
      current: query.status === status,
    })),
    legend: { statuses: STATUS_MEANINGS, waits: WAIT_MEANINGS, marks: MARK_MEANINGS },
    sizes: PAGE_SIZES.map((size) => ({ size, selected: size === query.size })),
    columns: { name: sortColumn(query, 'name'), status: sortColumn(query, 'status'), date: sortColumn(query, 'date') },
    rows: data.rows.map((row) => rowView(row, role)),
    empty: emptyState(data),
    resultText:
      data.total > 0
        ? `${numberFormat.format(first)}–${numberFormat.format(last)} of ${numberFormat.format(data.total)}`
        : '0',
    resultNoun: tenants(data.total),
    cappedText: data.capped
      ? `The search stops at the first ${numberFormat.format(SEARCH_MATCH_CAP)} matches: add to it to narrow them down.`
      : null,
    pagination:
      window.pageCount > 1
        ? {
            page: window.page,
            pageCount: numberFormat.format(window.pageCount),
            prev: window.page > 1 ? mcaUrl(query, { page: window.page - 1 }, cursorAt(data, 'before')) : null,
            next:
              window.page < window.pageCount ? mcaUrl(query, { page: window.page + 1 }, cursorAt(data, 'after')) : null,
            links: pageLinks(window.page, window.pageCount).map((n) =>
              n === null
                ? { gap: true }
                : { number: numberFormat.format(n), href: mcaUrl(query, { page: n }), current: n === window.page },
            ),
          }
        : null,
  };
}
