import { parseSelection, selectionInputs } from './tenant-selection';

describe('parseSelection', () => {
  it('should read "all matching" as the filter, whatever ids come with it', () => {
    expect(parseSelection({ matching: 'all', status: 'none', q: '  contoso\u0000 ', tenant: ['1', '2'] })).toEqual({
      kind: 'filter',
      filter: { status: 'none', q: 'contoso' },
    });
    expect(parseSelection({ matching: 'all', status: 'nonsense' })).toEqual({
      kind: 'filter',
      filter: { status: 'all', q: '' },
    });
  });

  it('should read ticked rows as ids, once each, dropping what is not an id', () => {
    expect(parseSelection({ tenant: ['3', '1', '3', 'x', '0', '99999999999'] })).toEqual({ kind: 'ids', ids: [3, 1] });
    expect(parseSelection({ tenant: '7' })).toEqual({ kind: 'ids', ids: [7] });
    expect(parseSelection({})).toBeNull();
    expect(parseSelection({ tenant: ['x'] })).toBeNull();
  });

  it('should carry the selection on as the same fields', () => {
    for (const fields of [{ tenant: ['4', '5'] }, { matching: 'all', status: 'pending', q: 'a b' }]) {
      const selection = parseSelection(fields);
      if (!selection) throw new Error('nothing selected');
      const again: Record<string, string[]> = {};
      for (const { name, value } of selectionInputs(selection)) (again[name] ??= []).push(value);
      expect(
        parseSelection({ ...again, matching: again.matching?.[0], status: again.status?.[0], q: again.q?.[0] }),
      ).toEqual(selection);
    }
  });
});
