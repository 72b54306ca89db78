import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

// What Linux says of a process and of the machine: the server's own CPU time (so that a busy machine cannot make
// a server look cheaper or dearer than it is), its peak RSS, and the load average.
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

// utime + stime of the process, in milliseconds (fields 14 and 15 of /proc/<pid>/stat, after the command's
// parenthesised name, which may itself hold spaces).
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

// The CPU time of each of those processes still running, by pid.
export function cpuMsByPid(pids: number[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids) {
    try {
      times.set(pid, cpuMs(pid));
    } catch {
      // ended meanwhile
    }
  }
  return times;
}

// The CPU time spent between two readings of `cpuMsByPid`; a process that started meanwhile counts whole.
export const cpuMsBetween = (before: Map<number, number>, after: Map<number, number>): number =>
  [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);

// The process's CPU time once it has stopped using any for `quietMs`, or after `capMs`: what it spent on the
// requests a load generator left unanswered when it stopped, so that they count with the run that sent them.
export async function cpuMsWhenIdle(pid: number, quietMs = 100, capMs = 2000): Promise<number> {
  const until = performance.now() + capMs;
  let last = cpuMs(pid);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = cpuMs(pid);
    if (now === last || performance.now() >= until) return now;
    last = now;
  }
}

// Binds every thread of the process to the CPUs of a list ("1", "0-1"; taskset); false where that cannot be done. On
// a 2-core host a server and the load generator that the scheduler moves between the cores share each core's caches
// by turns: the same server's CPU per request moved about 10% between runs a few seconds apart, and about 3% once each
// had a core.
export function pinToCpus(pid: number, cpuList: string): boolean {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpuList, String(pid)], { stdio: 'ignore' });
    // taskset says nothing of a process that has no threads left to bind.
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] === cpuList;
  } catch {
    return false;
  }
}

// Every CPU of the machine, as a list for pinToCpus.
export const allCpus = (): string => `0-${cpus().length - 1}`;

// The highest resident set size the process has had (VmHWM), in MB.
export function peakRssMb(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

// The 1-minute load average.
export const loadAverage = (): number => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

// Samples the 1-minute load average every second while `work` runs; returns its highest value with the result.
export async function withLoad<T>(work: () => Promise<T>): Promise<{ result: T; load: number }> {
  let load = loadAverage();
  const timer = setInterval(() => (load = Math.max(load, loadAverage())), 1000);
  try {
    const result = await work();
    return { result, load: Math.max(load, loadAverage()) };
  } finally {
    clearInterval(timer);
  }
}
