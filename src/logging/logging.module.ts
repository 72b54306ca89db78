import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { appConfig, type AppConfig } from '../config/app.config';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;
const RESET_LINK = /^\/password\/reset\/[^/?#]+/;

// What a request's log line says of it. `originalUrl` when Express set it (a mounted router rewrites `url`), and
// the client's address as Express reads it: behind a trusted proxy (TRUST_PROXY), the one the proxy reports.
export function requestLine(req: IncomingMessage & { id?: unknown; originalUrl?: string; ip?: string }) {
  const url = req.originalUrl ?? req.url ?? '';
  return {
    id: req.id,
    method: req.method,
    // A reset link's token opens an account: it never reaches the logs.
    url: url.startsWith('/password/reset/') ? url.replace(RESET_LINK, '/password/reset/…') : url,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  };
}

export const responseLine = (res: ServerResponse) => ({ statusCode: res.statusCode });

// pino-http's options: one line per request when it ends, with its id, method, URL, status and time.
export function httpLoggerOptions(level: string): Options {
  return {
    level,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: {
      // Probes ask for /healthz and /readyz every few seconds; a change of readiness is logged once (HealthService).
      ignore: (req: IncomingMessage) =>
        /^\/(healthz|readyz)$/.test(req.url ?? '') || /^\/(css|js|vendor|img)\//.test(req.url ?? ''),
    },
    // Headers stay out: they hold cookies and tokens, and the id, method, path and status tell the story.
    // Unwrapped, the serializers read the raw request and response: pino-http's wrappers would first copy each
    // into a full object (headers, the parsed query, the socket's address) on every request, to drop it again.
    wrapSerializers: false,
    serializers: { req: requestLine, res: responseLine },
  };
}

// One JSON line per request and per log call, each carrying the request id (taken from a proxy's X-Request-Id
// when it looks like one, and echoed back).
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => ({ pinoHttp: httpLoggerOptions(config.logLevel) }),
    }),
  ],
})
export class LoggingModule {}
