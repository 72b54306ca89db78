import { Logger, type INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { ShutdownState } from './common/shutdown-state';
import { JobWorker } from './jobs/job-worker.service';

export interface ShutdownSettings {
  drainMs: number;
  timeoutMs: number;
}

const IDLE_SWEEP_MS = 100;
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// From now on every response ends its connection, so that a client (the proxy) opens its next request elsewhere
// instead of reusing a connection this process is about to close.
export function endConnectionsAfterResponse(server: Server): void {
  server.prependListener('request', (_req, res) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  });
}

// Stops accepting connections and answers the requests already running; a keep-alive connection is closed as
// soon as it is idle. Whatever still runs after `timeoutMs` is cut off. Resolves whether everything ended in time.
export async function closeHttpServer(server: Server, timeoutMs: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // server.close() closes the connections idle at that moment; the ones that finish their request later are
  // swept until none is left.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    const inTime = await Promise.race([closed.then(() => true), timedOut]);
    if (!inTime) {
      server.closeAllConnections();
      await closed;
    }
    return inTime;
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}

// The order of a graceful stop: readiness fails at once (the proxy stops sending), the job worker stops claiming
// and hands back what it cannot finish in time, the listener closes after the drain and the running requests are
// answered, and only then do the modules stop and the database close.
export async function shutDown(app: INestApplication, settings: ShutdownSettings, log: Logger): Promise<void> {
  const server = app.getHttpServer() as Server;
  app.get(ShutdownState).beginDraining();
  endConnectionsAfterResponse(server);
  const jobsStopped = app.get(JobWorker).stop();
  log.log(`Draining: readiness fails, the listener closes in ${settings.drainMs} ms`);
  await delay(settings.drainMs);
  const inTime = await closeHttpServer(server, settings.timeoutMs);
  if (!inTime) log.warn(`Requests still running after ${settings.timeoutMs} ms were cut off`);
  await jobsStopped;
  // Logged before the modules close: the app's logger goes with them.
  log.log('Requests answered and jobs stopped or handed back; closing the database');
  await app.close();
}

// SIGTERM (systemd, an orchestrator) or SIGINT (Ctrl-C) stops the app gracefully; a second signal ends it at once.
// The process then ends by the same signal, as Nest's own shutdown hooks do.
export function stopGracefullyOnSignals(app: INestApplication, settings: ShutdownSettings): void {
  const log = new Logger('Shutdown');
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} again: stopping at once`);
      process.exit(1);
    }
    stopping = true;
    log.log(`${signal} received`);
    shutDown(app, settings, log).then(
      () => {
        for (const name of SIGNALS) process.removeListener(name, onSignal);
        process.kill(process.pid, signal);
      },
      (error: unknown) => {
        log.error(`Shutting down: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const name of SIGNALS) process.on(name, onSignal);
}
