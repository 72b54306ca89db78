import autocannon from 'autocannon';
import { Agent, request } from 'node:http';

export interface ClosedLoopResult {
  requests: number; // completed with a 2xx
  errors: number; // errors, timeouts and non-2xx answers
  inFlight: number; // sent but unanswered when the run ended: the server still works on them
  requestsPerSecond: number;
}

// A closed loop: `connections` clients, each sending its next request when the last one is answered. It measures
// throughput; its latencies wait on each other, so the latency figures come from the open loop below.
export async function closedLoop(
  url: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
): Promise<ClosedLoopResult> {
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, headers }, (err, done) => (err ? reject(err) : resolve(done)));
  });
  const elapsed = (performance.now() - started) / 1000;
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    requests: result['2xx'],
    errors,
    inFlight: Math.max(0, result.requests.sent - result['2xx'] - errors),
    requestsPerSecond: result['2xx'] / Math.max(elapsed, seconds),
  };
}

export interface OpenLoopResult {
  latencies: number[]; // ms, from the moment each request was due
  errors: number;
  late: number; // requests still unanswered when the run ended (counted as errors too)
}

// At most this many requests wait for an answer at once; a request due beyond them is not sent and counts as an
// error (dropped), so that a server far slower than the rate is not left with minutes of queued work that would
// slow the runs after it.
const MAX_IN_FLIGHT = 64;

// An open loop: requests are due at a fixed rate whatever the answers, and each latency counts from the moment
// its request was due, so a server that stalls is charged for the queue behind it (no coordinated omission).
export function openLoop(
  url: string,
  headers: Record<string, string>,
  rate: number,
  seconds: number,
): Promise<OpenLoopResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  let dropped = 0;
  let settled = 0;
  let sent = 0;
  const start = performance.now();
  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      clearTimeout(deadline);
      agent.destroy();
      const late = total - settled;
      resolve({ latencies, errors: errors + dropped + late, late });
    };
    const done = () => {
      settled += 1;
      if (settled === total) finish();
    };
    const fire = (due: number) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (finished) return;
            if (res.statusCode && res.statusCode < 300) latencies.push(performance.now() - due);
            else errors += 1;
            done();
          });
        },
      );
      req.on('error', () => {
        if (finished) return;
        errors += 1;
        done();
      });
      req.end();
    };
    // Each tick sends every request that has fallen due since the last one, stamped with its due time.
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) {
        if (sent - settled < MAX_IN_FLIGHT) fire(start + (sent * 1000) / rate);
        else {
          dropped += 1;
          done();
        }
        sent += 1;
      }
    }, 1);
    // Requests still unanswered 10 s after the last was due count as errors.
    const deadline = setTimeout(finish, seconds * 1000 + 10_000);
  });
}

// The value below which the fraction `q` of the sorted values lie.
export const percentile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
