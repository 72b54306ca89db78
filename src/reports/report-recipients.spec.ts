import { checkDomainList, isAllowedRecipient, recipientRule, splitRecipients } from './report-recipients';

describe(checkDomainList.name, () => {
  it('should keep each domain once, lower-cased, from lines, commas or spaces, with a leading @ or final dot dropped', () => {
    expect(checkDomainList('Contoso.COM\n@fabrikam.test, contoso.com  sales.contoso.com.')).toEqual({
      domains: ['contoso.com', 'fabrikam.test', 'sales.contoso.com'],
    });
    expect(checkDomainList('')).toEqual({ domains: [] });
    expect(checkDomainList(undefined)).toEqual({ domains: [] });
    expect(checkDomainList('xn--mnchen-3ya.de')).toEqual({ domains: ['xn--mnchen-3ya.de'] });
  });

  it.each([
    ['*.contoso.com', 'no wildcards'],
    ['ada@contoso.com', 'enter the domain only'],
    ['localhost', 'not a domain name'],
    ['10.0.0.1', 'not a domain name'],
    ['-contoso.com', 'not a domain name'],
    ['contoso..com', 'not a domain name'],
    ['münchen.de', 'not a domain name'],
    [`${'a'.repeat(64)}.com`, 'not a domain name'],
  ])('should refuse %s', (raw, message) => {
    const checked = checkDomainList(raw);
    expect('error' in checked && checked.error).toContain(message);
  });

  it('should refuse more than 50 domains and anything but text', () => {
    const many = Array.from({ length: 51 }, (_, i) => `d${i}.test`).join('\n');
    expect(checkDomainList(many)).toEqual({ error: 'At most 50 domains' });
    expect(checkDomainList(['contoso.com'])).toEqual({ error: 'Enter the domains as text, one a line' });
  });
});

describe(isAllowedRecipient.name, () => {
  const policy = { own: 'vera@contoso.com', domains: ['contoso.com'] };

  it("should allow the owner's own address and addresses in an allowed domain itself only", () => {
    expect(isAllowedRecipient('vera@contoso.com', { own: 'vera@contoso.com', domains: [] })).toBe(true);
    expect(isAllowedRecipient('a@contoso.com', policy)).toBe(true);
    expect(isAllowedRecipient('a@sales.contoso.com', policy)).toBe(false);
    expect(isAllowedRecipient('a@evil-contoso.com', policy)).toBe(false);
    expect(isAllowedRecipient('a@contoso.com.evil.test', policy)).toBe(false);
    expect(isAllowedRecipient('a@contoso.com', { own: 'vera@contoso.com', domains: [] })).toBe(false);
  });

  it('should split a list and say the rule', () => {
    expect(splitRecipients(['a@contoso.com', 'x@evil.test'], policy)).toEqual({
      allowed: ['a@contoso.com'],
      refused: ['x@evil.test'],
    });
    expect(recipientRule(policy, 'your')).toBe(
      'Reports go only to your own address (vera@contoso.com) or to an address at contoso.com.',
    );
    expect(recipientRule({ own: 'vera@contoso.com', domains: [] }, 'your')).toContain(
      'Reports go only to your own address (vera@contoso.com); an admin can allow',
    );
  });
});
