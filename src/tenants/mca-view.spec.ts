import type { TenantRow } from './tenants.repository';
import { mcaRowsView, pageLinks, summaryView } from './mca-view';

const tenantRow = (changes: Partial<TenantRow>): TenantRow => ({
  id: 1,
  name: 'Fabrikam',
  domain: 'fabrikam.test',
  microsoftTenantId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  status: 'pending',
  acceptedAt: null,
  removedAt: null,
  attestationState: 'awaiting_acceptance',
  directlySigned: false,
  partnerAccepted: false,
  attestedOutside: false,
  agreementSignatory: null,
  unconfirmed: null,
  reacceptanceNeeded: false,
  ...changes,
});
const rowOf = (changes: Partial<TenantRow>) =>
  mcaRowsView(
    {
      rows: [tenantRow(changes)],
      current: { attested: 0, direct: 0, pending: 1, none: 0 },
      removed: 0,
      reacceptance: 0,
    },
    'operator',
  ).rows[0];

describe('mcaRowsView', () => {
  it('should refresh a row while the app may move it on: awaiting acceptance, then ready to finalize', () => {
    expect(rowOf({ attestationState: 'awaiting_acceptance' }).refreshes).toBe(true);
    expect(rowOf({ attestationState: 'accepted' }).refreshes).toBe(true);
    // A new attestation on an accepted tenant waits the same way.
    expect(rowOf({ status: 'direct', attestationState: 'awaiting_acceptance' }).refreshes).toBe(true);
  });

  it('should leave a row alone that only the partner moves on, that is done, or that left Partner Center', () => {
    expect(rowOf({ attestationState: 'expired' }).refreshes).toBe(false);
    expect(rowOf({ attestationState: 'finalize_failed' }).refreshes).toBe(false);
    expect(rowOf({ status: 'attested', attestationState: 'finalized' }).refreshes).toBe(false);
    expect(rowOf({ status: 'none', attestationState: null }).refreshes).toBe(false);
    expect(rowOf({ removedAt: new Date() }).refreshes).toBe(false);
  });

  it('should say the row as a screen reader hears a change: the name, the status and the part of the wait', () => {
    expect(rowOf({ attestationState: 'accepted' }).stateText).toBe('Fabrikam: Attestation pending, Ready to finalize');
    expect(rowOf({ status: 'attested', attestationState: 'finalized' }).stateText).toBe(
      'Fabrikam: Acceptance provided (Attested)',
    );
  });

  it('should count the summary from the figures given', () => {
    const view = mcaRowsView(
      { rows: [], current: { attested: 1, direct: 1, pending: 1, none: 1 }, removed: 0, reacceptance: 0 },
      'viewer',
    );
    expect(view.summary.complianceText).toBe('50%');
  });
});

describe('summaryView', () => {
  it('should lay the statuses end to end over the whole bar and give the compliance rate', () => {
    const summary = summaryView({ attested: 1, direct: 2, pending: 3, none: 2 }, 5);
    expect(summary.segments.map((s) => [s.status, s.x, s.width])).toEqual([
      ['attested', 0, 125],
      ['direct', 125, 250],
      ['pending', 375, 375],
      ['none', 750, 250],
    ]);
    expect(summary.complianceText).toBe('37.5%');
    expect(summary.acceptedText).toBe('3');
    expect(summary.totalText).toBe('8');
    expect(summary.removedText).toBe('5 tenants removed from Partner Center are still listed, but not counted here.');
    expect(summary.barDescription).toContain('Attestation pending: 3 (37.5%)');
  });

  it('should leave tenants that need to accept again out of the compliance rate, and say so', () => {
    const summary = summaryView({ attested: 3, direct: 1, pending: 0, none: 4 }, 0, 2);
    expect(summary.acceptedText).toBe('2');
    expect(summary.complianceText).toBe('25%');
    expect(summary.reacceptanceText).toBe(
      '2 accepted tenants need to accept again (older than your organisation requires) and are not counted as compliant.',
    );
    expect(summaryView({ attested: 3, direct: 1, pending: 0, none: 4 }, 0).reacceptanceText).toBeNull();
  });

  it('should say there are no tenants rather than divide by zero', () => {
    const summary = summaryView({ attested: 0, direct: 0, pending: 0, none: 0 }, 0);
    expect(summary.hasTenants).toBe(false);
    expect(summary.complianceText).toBe('–');
    expect(summary.segments.every((s) => s.width === 0)).toBe(true);
  });
});

describe('pageLinks', () => {
  it('should show every page when there are few', () => {
    expect(pageLinks(2, 4)).toEqual([1, 2, 3, 4]);
  });

  it('should show the first, the last and the neighbours of the current page, with gaps', () => {
    expect(pageLinks(50, 4000)).toEqual([1, null, 48, 49, 50, 51, 52, null, 4000]);
    expect(pageLinks(1, 4000)).toEqual([1, 2, 3, null, 4000]);
  });
});
