import { SEARCH_MAX_LENGTH } from '../tenants/mca-query';
import { checkFilter, parseFilter, storedFilter } from './report-filter';

describe(checkFilter.name, () => {
  it('should read the filter as the MCA page does', () => {
    expect(checkFilter('none', '  contoso ')).toEqual({ filter: { status: 'none', q: 'contoso' } });
    expect(checkFilter(undefined, undefined)).toEqual({ filter: { status: 'all', q: '' } });
    expect(checkFilter('', '')).toEqual({ filter: { status: 'all', q: '' } });
  });

  it.each([
    ['bogus', '', 'That status filter does not exist'],
    [['none', 'direct'], '', 'That status filter does not exist'],
    ['all', 'ab\u0000cd', 'control characters'],
    ['all', 'ab\ncd', 'control characters'],
    ['all', 'ab\u007fcd', 'control characters'],
    ['all', ['ab'], 'The search must be text'],
    ['all', 'x'.repeat(SEARCH_MAX_LENGTH + 1), `at most ${SEARCH_MAX_LENGTH} characters`],
  ])('should refuse status %j with search %j where the page would read it otherwise', (status, q, message) => {
    const checked = checkFilter(status, q);
    expect('error' in checked && checked.error).toContain(message);
  });

  it('should check a stored filter the same way, and show one that fails as none', () => {
    expect(storedFilter('{"status":"all","q":"ab\\u0000cd"}')).toEqual({
      error: 'The search contains characters that cannot be typed (control characters): search again',
    });
    expect(storedFilter('not json')).toEqual({ error: 'The stored filter is not valid JSON' });
    expect(parseFilter('{"status":"pending","q":"ab"}')).toEqual({ status: 'pending', q: 'ab' });
    expect(parseFilter('{"status":"bogus"}')).toEqual({ status: 'all', q: '' });
  });
});
