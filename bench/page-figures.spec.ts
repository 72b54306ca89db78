import {
  rateFigures,
  ratio,
  cpuPerRequest,
  scaleRatio,
  settled,
  scaleTable,
  summary,
  table,
  targets,
  verdict,
  warmUpLine,
  type BrokerFigures,
  type ClosedRun,
  type VariantFigures,
} from './page-figures';

const run = (server: 'app' | 'bare', tenants: number, round: number, cpuMs: number, requests = 100): ClosedRun => ({
  server,
  tenants,
  round,
  requestsPerSecond: requests,
  requests,
  errors: 0,
  cpuMs,
  cpuMsPerRequest: cpuMs / requests,
  load: 1,
});

describe('verdict', () => {
  it('should say met when the whole spread lies under the limit', () => {
    expect(verdict({ min: 10, max: 49.9 }, 50)).toBe('met');
  });

  it('should say NOT met when none of the spread lies under the limit', () => {
    expect(verdict({ min: 50, max: 80 }, 50)).toBe('NOT met');
  });

  it('should say inconclusive when the spread straddles the limit', () => {
    expect(verdict({ min: 1.9, max: 2.1 }, 2, true)).toBe('inconclusive');
    expect(verdict({ min: 30, max: Infinity }, 50)).toBe('inconclusive');
  });

  it('should count the limit itself as within only when inclusive', () => {
    expect(verdict({ min: 1.5, max: 2 }, 2, true)).toBe('met');
    expect(verdict({ min: 1.5, max: 2 }, 2)).toBe('inconclusive');
  });

  it('should never count a missing figure as within', () => {
    expect(verdict({ min: NaN, max: NaN }, 50)).toBe('NOT met');
  });
});

describe('settled', () => {
  it('should wait for a full window of runs', () => {
    expect(settled([2, 2])).toBe(false);
    expect(settled([2, 2, 2])).toBe(true);
  });

  it('should compare the last runs only, within the tolerance of the lowest', () => {
    expect(settled([9, 4, 2.09, 2.0, 2.08])).toBe(true);
    expect(settled([2.1, 2.0, 2.2])).toBe(false);
    expect(settled([2.1, 2.0, 2.2], 3, 0.15)).toBe(true);
  });

  it('should not settle on runs without a figure', () => {
    expect(settled([2, NaN, 2])).toBe(false);
    expect(settled([0, 0, 0])).toBe(false);
  });
});

describe('warmUpLine', () => {
  it('should say how long each warm-up took, and how far apart the last runs of one that did not settle were', () => {
    expect(
      warmUpLine([
        { server: 'app', tenants: 100_000, seconds: 3.2, settled: true, cpuMsPerRequest: [4, 2, 2, 2] },
        { server: 'bare', tenants: 1_000_000, seconds: 15.4, settled: false, cpuMsPerRequest: [3, 1, 1.2, 1.1] },
      ]),
    ).toBe('app@100,000 3 s, bare@1,000,000 15 s (not settled: last 3 runs 20% apart)');
  });
});

describe('rateFigures', () => {
  it("should pool the rounds' latencies and keep the spread of each round's p95", () => {
    const ms = (from: number) => Array.from({ length: 100 }, (_, i) => from + i / 10);
    const figures = rateFigures(100, [
      { latencies: ms(10), errors: 0 },
      { latencies: ms(40), errors: 0 },
    ]);
    expect(figures).toMatchObject({ rate: 100, requests: 200, errors: 0 });
    expect(figures.roundP95).toMatchObject({ min: 19.5, max: 49.5 });
    expect(figures.p95).toBe(49);
  });

  it('should count a round with an error as over any latency target', () => {
    const figures = rateFigures(100, [
      { latencies: [5, 6, 7], errors: 0 },
      { latencies: [5, 6], errors: 1 },
    ]);
    expect(figures.errors).toBe(1);
    expect(figures.roundP95.max).toBe(Infinity);
    expect(verdict(figures.roundP95, 50)).toBe('inconclusive');
  });
});

describe('ratio', () => {
  it("should compare each round's runs with the same round's, and give the ratio of the medians too", () => {
    const runs = [
      run('app', 100, 1, 200),
      run('bare', 100, 1, 100),
      run('bare', 100, 1, 100),
      run('app', 100, 1, 200),
      run('app', 100, 2, 300),
      run('bare', 100, 2, 200),
      run('bare', 100, 2, 200),
      run('app', 100, 2, 300),
    ];
    const app = (r: ClosedRun) => r.server === 'app';
    const bare = (r: ClosedRun) => r.server === 'bare';
    expect(ratio(runs, app, bare, cpuPerRequest)).toEqual({ median: 1.75, min: 1.5, max: 2, ofMedians: 250 / 150 });
  });

  it("should weigh a round's runs by the requests they answered", () => {
    expect(cpuPerRequest([run('app', 100, 1, 100, 100), run('app', 100, 1, 300, 100)])).toBe(2);
    expect(cpuPerRequest([run('app', 100, 1, 100, 50), run('app', 100, 1, 300, 150)])).toBe(2);
  });
});

describe('scaleRatio', () => {
  it('should be absent with one measured broker', () => {
    expect(scaleRatio([run('app', 100, 1, 100), run('bare', 100, 1, 50)])).toBeUndefined();
  });

  it("should compare the app's CPU per request on the largest broker with the smallest, ignoring the bare server", () => {
    const runs = [
      run('app', 100_000, 1, 200),
      run('bare', 100_000, 1, 100),
      run('app', 1_000_000, 1, 210),
      run('bare', 1_000_000, 1, 500),
      run('app', 100_000, 2, 200),
      run('app', 1_000_000, 2, 240),
    ];
    expect(scaleRatio(runs)).toMatchObject({ min: 1.05, max: 1.2 });
    expect(verdict(scaleRatio(runs)!, 1.1, true)).toBe('inconclusive');
  });

  it("should count the database's CPU for the app's requests when it was measured, unless asked for the app alone", () => {
    const withDb = (r: ClosedRun, dbCpuMs: number): ClosedRun => ({ ...r, dbCpuMs });
    const runs = [
      withDb(run('app', 100_000, 1, 200), 100),
      withDb(run('app', 1_000_000, 1, 200), 400),
      withDb(run('bare', 1_000_000, 1, 100), 900),
    ];
    expect(scaleRatio(runs)).toMatchObject({ min: 2, max: 2 });
    expect(scaleRatio(runs, cpuPerRequest)).toMatchObject({ min: 1, max: 1 });
  });
});

describe('targets, summary and tables', () => {
  const broker = (tenants: number, p95: [number, number], cpu: [number, number]): BrokerFigures => {
    const s = ([min, max]: [number, number]) => ({ median: (min + max) / 2, min, max });
    const rate = { rate: 100, requests: 300, errors: 0, p50: 5, p95: p95[1], p99: p95[1], roundP95: s(p95) };
    const side = { requestsPerSecond: s([500, 500]), cpuMsPerRequest: s([2, 2]), rates: [rate] };
    return {
      tenants,
      label: 'unfiltered',
      path: '/mca',
      app: side,
      bare: side,
      throughputRatio: { ...s([0.5, 0.5]), ofMedians: 0.5 },
      cpuRatio: { ...s(cpu), ofMedians: cpu[0] },
      load: s([1, 1]),
      errors: 0,
    };
  };
  const withDatabase = (b: BrokerFigures, ms: number): BrokerFigures => ({
    ...b,
    app: { ...b.app, dbCpuMsPerRequest: { median: ms, min: ms, max: ms } },
  });
  const variant = (brokers: BrokerFigures[], scale?: [number, number]): VariantFigures => ({
    name: 'unfiltered',
    brokers,
    scaleCpuRatio: scale && { median: scale[0], min: scale[0], max: scale[1], ofMedians: scale[0] },
    warmUps: [],
    runs: [],
  });

  it('should call the run conclusive when every target is met or NOT met', () => {
    const list = targets(
      [variant([broker(100_000, [10, 20], [1.8, 1.9]), broker(1_000_000, [60, 70], [1.8, 1.9])], [1.0, 1.05])],
      250,
    );
    expect(list.map((t) => [t.what, t.verdict])).toEqual([
      ['unfiltered @100,000: app p95 < 50 ms at 100 req/s', 'met'],
      ['unfiltered @1,000,000: app p95 < 50 ms at 100 req/s', 'NOT met'],
      ['unfiltered @100,000: app CPU/request <= 2x bare', 'met'],
      ['unfiltered @1,000,000: app CPU/request <= 2x bare', 'met'],
      ['unfiltered: app CPU/request @1,000,000 <= 1.1x @100,000', 'met'],
      ['app peak RSS < 300 MB', 'met'],
    ]);
    expect(summary(list)).toBe('The run is conclusive: 5 met, 1 NOT met, 0 inconclusive of 6.');
  });

  it('should call the run inconclusive when a spread straddles its target', () => {
    const list = targets([variant([broker(100_000, [10, 20], [1.9, 2.2])])], 250);
    expect(list.find((t) => t.what.includes('CPU'))?.verdict).toBe('inconclusive');
    expect(summary(list)).toMatch(/^The run is INCONCLUSIVE \(2 met, 0 NOT met, 1 inconclusive of 3\)/);
  });

  it("should show the database's CPU beside the app's, and count it in the target, when it was measured", () => {
    const v = variant(
      [
        withDatabase(broker(100_000, [10, 20], [1.8, 1.9]), 1.5),
        withDatabase(broker(1_000_000, [10, 20], [1.8, 1.9]), 4),
      ],
      [1.5, 1.6],
    );
    expect(targets([v], 250).find((t) => t.what.includes('1.1x'))?.what).toBe(
      'unfiltered: app and database CPU/request @1,000,000 <= 1.1x @100,000',
    );
    expect(table([v], [100])[0]).toContain('| app database CPU ms/req | bare database CPU ms/req |');
    expect(scaleTable([v])[2]).toBe(
      '| unfiltered | 2.00 (2.00–2.00) | 1.50 (1.50–1.50) | 2.00 (2.00–2.00) | 4.00 (4.00–4.00) | – | 1.50x (1.50–1.60) NOT met |',
    );
  });

  it('should leave out the database columns, and the table of sizes with one broker', () => {
    const v = variant([broker(100_000, [10, 20], [1.8, 1.9])]);
    expect(table([v], [100])[0]).not.toContain('database');
    expect(table([v], [100])[2]).toContain("| 5.0 / 20.0 / 20.0 (rounds' p95 10.0–20.0) met |");
    expect(scaleTable([v])).toEqual([]);
  });
});
