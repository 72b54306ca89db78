import { PartnerCenterError } from '../partner-center/partner-center.types';
import { ReadTally } from './sync-runner';

// A run's reads are tallied in a few counters whatever the broker's size: a hundred thousand failures keep twenty ids.
describe('ReadTally', () => {
  const unavailable = new PartnerCenterError('unavailable', 'Partner Center is not available right now');
  const refused = new PartnerCenterError('auth', 'The connected Partner Center user was refused');

  it('should count every failure, keep the first ids only, and name the most frequent reason', () => {
    const tally = new ReadTally();
    for (let i = 0; i < 1_000; i++) tally.fail(`customer-${i}`, i % 10 === 0 ? refused : unavailable);
    tally.succeeded += 1;
    expect(tally.unread()).toEqual({
      count: 1_000,
      ids: Array.from({ length: 20 }, (_, i) => `customer-${i}`),
      reason: 'Partner Center is not available right now (and 1 other reason)',
    });
    expect(tally.firstError).toBe(refused);
    expect(tally.hopeless).toBe(false);
  });

  it('should give up when nobody could be read: after twenty failures, or at once when every sign-in is refused', () => {
    const many = new ReadTally();
    for (let i = 0; i < 19; i++) many.fail(`customer-${i}`, unavailable);
    expect(many.hopeless).toBe(false);
    many.fail('customer-19', unavailable);
    expect(many.hopeless).toBe(true);

    const refusedOnce = new ReadTally();
    refusedOnce.fail('customer-0', refused);
    expect(refusedOnce.hopeless).toBe(true);
    refusedOnce.fail('customer-1', unavailable);
    expect(refusedOnce.hopeless).toBe(false);
    expect(new ReadTally().unread()).toBeNull();
  });
});
