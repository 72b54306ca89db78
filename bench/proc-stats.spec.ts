import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { allCpus, cpuMsBetween, cpuMsByPid, pinToCpus } from './proc-stats';

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

describe('pinToCpus', () => {
  it('should bind every thread of a running process to the CPUs, free it again, or say that it could not', async () => {
    // Node's own threads (the platform's workers) are running once it runs the script.
    const child = spawn(process.execPath, ['-e', 'console.log("up"); setTimeout(() => {}, 10000)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const pinned = pinToCpus(child.pid!, '0');
      expect(pinned).toBe(cpus().length >= 2);
      if (!pinned) return;
      const threads = readdirSync(`/proc/${child.pid}/task`);
      expect(threads.length).toBeGreaterThan(1);
      const allowed = () =>
        threads.map(
          (tid) =>
            /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${child.pid}/task/${tid}/status`, 'utf8'))?.[1],
        );
      expect(allowed()).toEqual(threads.map(() => '0'));
      expect(pinToCpus(child.pid!, allCpus())).toBe(true);
      expect(allowed()).toEqual(threads.map(() => `0-${cpus().length - 1}`));
      expect(pinToCpus(2 ** 22 + 1, '0')).toBe(false);
    } finally {
      child.kill();
    }
  });
});
