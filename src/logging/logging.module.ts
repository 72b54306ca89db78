import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app.config';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

// One JSON line per request and per log call, each carrying the request id (taken from a proxy's X-Request-Id
// when it looks like one, and echoed back).
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        pinoHttp: {
          level: config.getOrThrow<AppConfig>('app').logLevel,
          genReqId: (req: IncomingMessage, res: ServerResponse) => {
            const incoming = req.headers['x-request-id'];
            const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
            res.setHeader('X-Request-Id', id);
            return id;
          },
          autoLogging: {
            ignore: (req: IncomingMessage) => req.url === '/healthz' || /^\/(css|js|vendor|img)\//.test(req.url ?? ''),
          },
          // Headers stay out: they hold cookies and tokens, and the id, method, path and status tell the story.
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              // A reset link's token opens an account: it never reaches the logs.
              url: req.url.replace(/^\/password\/reset\/[^/?#]+/, '/password/reset/…'),
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
