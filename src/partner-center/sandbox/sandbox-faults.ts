// Fault injection for tests, in the same process: the next matching requests get a chosen failure instead of
// (or, for a pure delay, before) the normal answer.
export interface SandboxFault {
  path?: RegExp | string; // a string matches when the path (with its query) contains it; default: every path
  method?: string;
  status?: number; // e.g. 429, 500, 401; the body is Partner Center's error shape unless `body` says otherwise
  retryAfterSeconds?: number;
  delayMs?: number; // wait before answering (alone: a slow but otherwise normal answer)
  // Hold the answer until this settles: a test keeps a request in flight for exactly as long as it needs,
  // whatever the machine's speed (a fixed delay holds only on a quick machine).
  holdUntil?: Promise<unknown>;
  body?: string | object; // a string is sent as is (malformed JSON, an HTML page, a huge answer)
  contentType?: string;
  times?: number; // how many requests it applies to; default 1, Infinity for all
}

interface ActiveFault extends SandboxFault {
  remaining: number;
}

export class SandboxFaults {
  private faults: ActiveFault[] = [];

  add(fault: SandboxFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  get pending(): number {
    return this.faults.length;
  }

  // The first fault that matches, used up by one.
  take(method: string, path: string): SandboxFault | undefined {
    const fault = this.faults.find((candidate) => matches(candidate, method, path));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }
}

function matches(fault: SandboxFault, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path);
}
