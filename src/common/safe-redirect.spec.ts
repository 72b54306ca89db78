import { safeLocalPath } from './safe-redirect';

describe(safeLocalPath.name, () => {
  it.each(['/mca?status=none', '/users', '/', '/mca?q=a%20b'])('should keep the local path %s', (path) => {
    expect(safeLocalPath(path)).toBe(path);
  });

  it.each([
    'https://evil.test/',
    '//evil.test',
    '/\\evil.test',
    '/\t/evil.test',
    '/\n/evil.test',
    '/mca\r\nSet-Cookie: x=1',
    '/mca\u0000',
    '/\u0085/evil.test',
    'mca',
    '',
    undefined,
    42,
    '/' + 'x'.repeat(2001),
  ])('should fall back when given %p', (candidate) => {
    expect(safeLocalPath(candidate, '/home')).toBe('/home');
  });

  it('should percent-encode characters a header cannot carry', () => {
    expect(safeLocalPath('/mca?q=Café ☕')).toBe('/mca?q=Caf%C3%A9%20%E2%98%95');
    expect(safeLocalPath('/mca?q=\ud800')).toBe('/mca?q=%EF%BF%BD');
    expect(safeLocalPath('/a b')).toBe('/a%20b');
  });
});
