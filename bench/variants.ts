import { DEFAULT_PAGE_SIZE } from '../src/tenants/mca-query';

// The MCA page variants the bench measures, by the names --variants takes.
export const VARIANT_NAMES = [
  'unfiltered',
  'filtered',
  'search-rare',
  'search-mid',
  'search-common',
  'two-letter',
  'deep-page',
  'keyset',
  'status-sort',
  'fragment',
  'keyset-status',
  'api-list',
] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

export interface Variant {
  name: VariantName;
  label: string;
  path: string;
  // The variant is the page that this path's Next link leads to (a keyset cursor), found before measuring.
  next?: boolean;
  htmx?: boolean; // sent as htmx's request for the results fragment
  api?: boolean; // the JSON API, asked with a bearer token instead of the session cookie
}

// Deep pages sit in the middle of the broker's pages (2,000 of 4,000 at 100,000 tenants), wherever the size.
export function variants(tenantsPerBroker: number): Record<VariantName, Variant> {
  const pages = Math.ceil(tenantsPerBroker / DEFAULT_PAGE_SIZE);
  const deep = Math.max(1, Math.round(pages / 2));
  const deepStatus = Math.max(1, Math.round(pages * 0.475));
  return {
    unfiltered: { name: 'unfiltered', label: 'unfiltered', path: '/mca' },
    filtered: { name: 'filtered', label: 'filtered (no acceptance)', path: '/mca?status=none' },
    'search-rare': { name: 'search-rare', label: 'search "wingtip labs" (0.13%)', path: '/mca?q=wingtip+labs' },
    'search-mid': { name: 'search-mid', label: 'search "berlin" (4%)', path: '/mca?q=berlin' },
    'search-common': { name: 'search-common', label: 'search "onmicrosoft" (100%)', path: '/mca?q=onmicrosoft' },
    'two-letter': { name: 'two-letter', label: 'search "wi" (two letters)', path: '/mca?q=wi' },
    'deep-page': { name: 'deep-page', label: `deep page ${deep} of ${pages}`, path: `/mca?page=${deep}` },
    keyset: { name: 'keyset', label: `Next from page ${deep} (keyset)`, path: `/mca?page=${deep}`, next: true },
    'status-sort': {
      name: 'status-sort',
      label: `status sort, page ${deepStatus}`,
      path: `/mca?sort=status&page=${deepStatus}`,
    },
    fragment: {
      name: 'fragment',
      label: 'fragment: direct+"berlin"+date',
      path: '/mca?status=direct&q=berlin&sort=date',
      htmx: true,
    },
    'keyset-status': {
      name: 'keyset-status',
      label: `Next from status page ${deepStatus}`,
      path: `/mca?sort=status&page=${deepStatus}`,
      next: true,
    },
    'api-list': {
      name: 'api-list',
      label: 'API tenant list (50, token)',
      path: '/api/v1/tenants',
      api: true,
    },
  };
}
