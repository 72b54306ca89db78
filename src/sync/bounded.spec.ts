import { mapBounded } from './bounded';

describe('mapBounded', () => {
  it('should keep the input order and never run more than the limit at once', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      for (let i = 0; i < n; i += 1) await Promise.resolve();
      inFlight -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });

  it('should stop starting work after a failure and rethrow it', async () => {
    const started: number[] = [];
    const run = mapBounded([1, 2, 3, 4, 5], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('boom');
      return n;
    });
    await expect(run).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });

  it('should return nothing for nothing', async () => {
    await expect(mapBounded([], 4, async () => 1)).resolves.toEqual([]);
  });
});
