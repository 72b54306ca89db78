import { safeLocalPath } from './safe-redirect';

describe(safeLocalPath.name, () => {
  it.each(['/mca?status=none', '/users', '/'])('should keep the local path %s', (path) => {
    expect(safeLocalPath(path)).toBe(path);
  });

  it.each(['https://evil.test/', '//evil.test', '/\\evil.test', 'mca', '', undefined, 42, '/' + 'x'.repeat(2001)])(
    'should fall back when given %p',
    (candidate) => {
      expect(safeLocalPath(candidate, '/home')).toBe('/home');
    },
  );
});
