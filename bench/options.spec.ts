import { parseOptions } from './options';

describe('parseOptions', () => {
  it('should alternate short runs three times a round unless told otherwise', () => {
    const options = parseOptions([], {});
    expect(options).toMatchObject({ seconds: 1, rateSeconds: 2, rounds: 3, alternations: 3 });
    expect(parseOptions(['--alternations', '5'], {}).alternations).toBe(5);
    expect(parseOptions([], { BENCH_ALTERNATIONS: '2' }).alternations).toBe(2);
  });

  it('should refuse alternations that are not a whole number of at least one', () => {
    expect(() => parseOptions(['--alternations', '0'], {})).toThrow(
      '--alternations takes a whole number of at least 1',
    );
    expect(() => parseOptions(['--alternations', '1.5'], {})).toThrow('--alternations takes a whole number');
  });
});
