import { NOT_NAME_TEXT } from './name-text';

describe('NOT_NAME_TEXT', () => {
  it('should let names with markup characters, accents and scripts through', () => {
    for (const name of [
      '<Contoso> & Co',
      "O'Brien",
      'Ærøskøbing Å/S',
      '株式会社 テスト',
      'مؤسسة الاختبار',
      'Zoë “Z” Smith',
    ])
      expect(NOT_NAME_TEXT.test(name)).toBe(false);
  });

  it('should stop line breaks, control characters, direction overrides and U+FFFD', () => {
    for (const name of ['a\nb', 'a\rb', 'a\tb', 'a\u0085b', 'a\u2028b', 'a\u202eb', 'a\u2066b', 'a\u0000b', 'a\ufffdb'])
      expect(NOT_NAME_TEXT.test(name)).toBe(true);
  });
});
