import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { cpuMsBetween, cpuMsByPid, pinToCpu } from './proc-stats';

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

describe('pinToCpu', () => {
  it('should bind every thread of a running process to the CPU, or say that it could not', async () => {
    // Node's own threads (the platform's workers) are running once it runs the script.
    const child = spawn(process.execPath, ['-e', 'console.log("up"); setTimeout(() => {}, 10000)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const pinned = pinToCpu(child.pid!, 0);
      expect(pinned).toBe(cpus().length >= 2);
      if (!pinned) return;
      const threads = readdirSync(`/proc/${child.pid}/task`);
      expect(threads.length).toBeGreaterThan(1);
      for (const tid of threads)
        expect(
          /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${child.pid}/task/${tid}/status`, 'utf8'))?.[1],
        ).toBe('0');
      expect(pinToCpu(2 ** 22 + 1, 0)).toBe(false);
    } finally {
      child.kill();
    }
  });
});
