import { checkAddress, checkAddressList } from './report-address';

describe('report addresses', () => {
  it('should accept one address, trimmed and lower-cased', () => {
    expect(checkAddress('  Ada@Contoso.test ')).toEqual({ address: 'ada@contoso.test' });
  });

  it.each([
    ['', 'Enter an email address'],
    ['a@b.c\r\nBcc: x@y.z', 'An email address cannot contain a line break'],
    ['a@b.test, c@d.test', 'Enter one email address only: the report goes to one address here'],
    ['a@b.test c@d.test', 'Enter one email address only: the report goes to one address here'],
    ['a@b.test;c@d.test', 'Enter one email address only: the report goes to one address here'],
    ['not-an-address', 'Enter a valid email address, like name@example.com'],
    ['Ada <ada@contoso.test>', 'Enter one email address only: the report goes to one address here'],
  ])('should refuse %j', (raw, error) => {
    expect(checkAddress(raw)).toEqual({ error });
  });

  it('should read a list of recipients, one a line or separated by commas, without repeats', () => {
    expect(checkAddressList('a@b.test\r\nC@d.test, a@b.test;e@f.test')).toEqual({
      addresses: ['a@b.test', 'c@d.test', 'e@f.test'],
    });
    expect(checkAddressList('a@b.test\nnope')).toEqual({
      error: 'nope: Enter a valid email address, like name@example.com',
    });
    expect(checkAddressList(' ')).toEqual({ error: 'Enter at least one email address' });
  });
});
