import { containsPattern, POSTGRES, SQLITE } from './dialect';
import { compile } from './sql.service';

const template = (strings: TemplateStringsArray, ..._values: unknown[]) => strings;

describe('compile', () => {
  it("should turn each value into the dialect's placeholder", () => {
    const strings = template`SELECT * FROM t WHERE a = ${1} AND b = ${2}`;
    expect(compile(POSTGRES, strings)).toBe('SELECT * FROM t WHERE a = $1 AND b = $2');
    expect(compile(SQLITE, strings)).toBe('SELECT * FROM t WHERE a = ? AND b = ?');
  });
});

describe('search and ordering', () => {
  it('should match wildcards literally and order NULLs last on both databases', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
    expect(SQLITE.orderNullsLast('x', 'DESC')).toBe('x IS NULL, x DESC');
    expect(POSTGRES.orderNullsLast('x', 'ASC')).toBe('x ASC NULLS LAST');
  });
});
