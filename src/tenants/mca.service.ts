import { Injectable } from '@nestjs/common';
import { NotFoundInBrokerError } from '../common/domain-errors';
import { BrokerScope } from '../common/broker-scope.service';
import { isAttestationFilter, pageWindow, type McaQuery, type PageCursor, type PageWindow } from './mca-query';
import {
  canSeek,
  SEARCH_MATCH_CAP,
  TenantsRepository,
  type AttestationCounts,
  type BrokerCounts,
  type StatusCounts,
  type TenantListReads,
  type TenantRow,
} from './tenants.repository';
import { TENANT_STATUSES } from './tenant-status';

export interface McaData {
  query: McaQuery; // with the page actually shown
  window: PageWindow;
  total: number; // rows matching the filter and the search
  chipCounts: StatusCounts; // per status, for the search if there is one
  attestationCounts: AttestationCounts; // per attestation filter: the broker's, or the search's when it filters by one
  capped: boolean; // the search reached SEARCH_MATCH_CAP: the page shows the first matches only
  current: StatusCounts; // tenants still in Partner Center, for the summary
  removed: number;
  reacceptance: number; // the broker's accepted tenants that need to accept again (never removed ones)
  rows: TenantRow[];
}

// The broker's figures for the summary, whatever the filter and the search.
type BrokerTotals = Pick<McaData, 'current' | 'removed' | 'reacceptance'>;

export const sumCounts = (counts: StatusCounts): number =>
  TENANT_STATUSES.reduce((sum, status) => sum + counts[status], 0);

const totalsOf = (counts: BrokerCounts): BrokerTotals => ({
  current: counts.current,
  removed: counts.removed,
  reacceptance: counts.marks.reaccept,
});

// The MCA page's data in at most three indexed statements, whatever the filter, search, sort or page. Shared by
// McaService and the bench's bare server, so that both do exactly the same work.
export async function loadMcaData(
  tenants: TenantListReads,
  brokerId: number,
  query: McaQuery,
  cursor: PageCursor | null = null,
): Promise<McaData> {
  const broker = await tenants.brokerCounts(brokerId);
  const totals = totalsOf(broker);

  // A search first tries its page and its counts in one statement: a page with rows is the page asked for. An
  // empty one (a page past the end, no match) is read again once the counts are known.
  if (query.q !== '') {
    const offset = (Math.max(1, query.page) - 1) * query.size;
    const found = await tenants.searchPage(brokerId, query, { limit: query.size, queryOffset: offset });
    if (found) return withRows(query, found.counts.statuses, found.counts.marks ?? broker.marks, totals, found.rows);
  }
  const searchCounts = query.q === '' ? null : await tenants.searchCounts(brokerId, query.q, query.status);
  const chipCounts = searchCounts?.statuses ?? broker.all;
  const attestationCounts = searchCounts?.marks ?? broker.marks;
  const window = pageWindow(totalOf(query, chipCounts, attestationCounts), query.page, query.size);
  const sought =
    cursor && window.limit > 0 && canSeek(query) ? await tenants.pageFrom(brokerId, query, cursor, window.limit) : null;
  const rows = sought ?? (window.limit > 0 ? await tenants.page(brokerId, query, window, chipCounts) : []);
  return withRows(query, chipCounts, attestationCounts, totals, rows);
}

// Rows of the page read again by id, with the summary's figures: what the rows that wait are refreshed with.
export interface McaRows extends BrokerTotals {
  rows: TenantRow[];
}

export async function loadMcaRows(
  tenants: TenantListReads,
  brokerId: number,
  ids: readonly number[],
): Promise<McaRows> {
  const rows = await tenants.rowsById(brokerId, ids);
  return { ...totalsOf(await tenants.brokerCounts(brokerId)), rows };
}

const totalOf = (query: McaQuery, chipCounts: StatusCounts, attestationCounts: AttestationCounts): number => {
  if (query.status === 'all') return sumCounts(chipCounts);
  return isAttestationFilter(query.status) ? attestationCounts[query.status] : chipCounts[query.status];
};

function withRows(
  query: McaQuery,
  chipCounts: StatusCounts,
  attestationCounts: AttestationCounts,
  totals: BrokerTotals,
  rows: TenantRow[],
): McaData {
  const total = totalOf(query, chipCounts, attestationCounts);
  const window = pageWindow(total, query.page, query.size);
  const capped = query.q !== '' && sumCounts(chipCounts) >= SEARCH_MATCH_CAP;
  return {
    query: { ...query, page: window.page },
    window,
    total,
    chipCounts,
    attestationCounts,
    capped,
    ...totals,
    rows,
  };
}

@Injectable()
export class McaService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly scope: BrokerScope,
  ) {}

  load(query: McaQuery, cursor: PageCursor | null = null): Promise<McaData> {
    return loadMcaData(this.tenants, this.scope.brokerId(), query, cursor);
  }

  // Ids of another broker name no row here.
  async loadRows(ids: readonly number[]): Promise<McaRows> {
    const rows = await loadMcaRows(this.tenants, this.scope.brokerId(), ids);
    if (rows.rows.length === 0) throw new NotFoundInBrokerError('None of these tenants');
    return rows;
  }
}
