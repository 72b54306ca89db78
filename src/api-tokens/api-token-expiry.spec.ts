import { ValidationFailedError } from '../common/domain-errors';
import { expiryOf, statusOf } from './api-token-expiry';

const NOW = new Date('2026-12-07T10:00:30Z');

const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error instanceof ValidationFailedError ? error.fields : error;
  }
  throw new Error('Not refused');
};

describe('expiryOf', () => {
  it('should never expire, expire a number of days from now, or at the start (UTC) of a chosen date', () => {
    expect(expiryOf('never', '2027-01-01', NOW)).toBeNull();
    expect(expiryOf('30', undefined, NOW)).toEqual(new Date('2027-01-06T10:00:30Z'));
    expect(expiryOf('365', undefined, NOW)).toEqual(new Date('2027-12-07T10:00:30Z'));
    expect(expiryOf('date', ' 2026-12-08 ', NOW)).toEqual(new Date('2026-12-08T00:00:00Z'));
  });

  it('should refuse a missing date, one that is not a real date, and today or earlier', () => {
    expect(refusal(() => expiryOf('date', '', NOW))).toEqual({ expiresOn: 'Choose the date the token stops working' });
    for (const date of ['2027-02-29', '2027-13-01', '07/12/2027', '2027-1-1'])
      expect(refusal(() => expiryOf('date', date, NOW))).toEqual({ expiresOn: 'Enter a real date, like 2027-01-31' });
    for (const date of ['2026-12-07', '2020-01-01'])
      expect(refusal(() => expiryOf('date', date, NOW))).toEqual({ expiresOn: 'Choose a date after today' });
  });
});

describe('statusOf', () => {
  it('should say revoked before expired, and expired from the expiry on', () => {
    expect(statusOf({ revokedAt: null, expiresAt: null }, NOW)).toBe('active');
    expect(statusOf({ revokedAt: null, expiresAt: NOW }, NOW)).toBe('expired');
    expect(statusOf({ revokedAt: null, expiresAt: new Date(NOW.getTime() + 1) }, NOW)).toBe('active');
    expect(statusOf({ revokedAt: NOW, expiresAt: new Date(0) }, NOW)).toBe('revoked');
  });
});
