import { parseJobQuery } from './job-list.query';
import { describeDuration } from './jobs-view';

describe('describeDuration', () => {
  it('should read as a person says it, from milliseconds to hours', () => {
    expect(describeDuration(850)).toBe('850 ms');
    expect(describeDuration(42_400)).toBe('42 s');
    expect(describeDuration(185_000)).toBe('3 min 5 s');
    expect(describeDuration(180_000)).toBe('3 min');
    expect(describeDuration(7_800_000)).toBe('2 h 10 min');
    expect(describeDuration(-5)).toBe('0 ms');
  });
});

describe('parseJobQuery', () => {
  const kinds = ['mail.send', 'tenant.sync'];

  it('should take a known state and kind, and the first of repeated values', () => {
    expect(parseJobQuery({ state: ['done', 'failed'], kind: 'mail.send', before: '12' }, kinds)).toEqual({
      filters: { state: 'done', kind: 'mail.send' },
      cursor: { before: 12, after: undefined },
      errors: {},
    });
  });

  it('should refuse an unknown state or kind by field, and ignore a bad cursor', () => {
    expect(parseJobQuery({ state: 'toString', kind: 'rm -rf', before: '-1', after: 'x' }, kinds)).toEqual({
      filters: { state: '', kind: '' },
      cursor: { before: undefined, after: undefined },
      errors: { state: 'Choose a state from the list', kind: 'Choose a kind of work from the list' },
    });
  });
});
