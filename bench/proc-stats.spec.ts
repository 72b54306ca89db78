import { cpuMsBetween, cpuMsByPid } from './proc-stats';

describe('cpuMsByPid', () => {
  it('should read the processes still running and leave out those that ended', () => {
    const times = cpuMsByPid([process.pid, 2 ** 22 + 1]);
    expect([...times.keys()]).toEqual([process.pid]);
    expect(times.get(process.pid)).toBeGreaterThan(0);
  });
});

describe('cpuMsBetween', () => {
  it('should add what each process spent, counting one that started meanwhile whole and one that ended not at all', () => {
    const before = new Map([
      [10, 100],
      [11, 50],
    ]);
    const after = new Map([
      [10, 130],
      [12, 20],
    ]);
    expect(cpuMsBetween(before, after)).toBe(50);
  });
});
