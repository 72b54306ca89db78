import { pageLinks, summaryView } from './mca-view';

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
