import { Injectable } from '@nestjs/common';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { RefusedDestinationError, WebhookDestinations } from './webhook-destinations';

export const EXCERPT_BYTES = 500;
// Read past the excerpt only this far: the answer's time is taken at its end, but a huge body is not waited for.
const READ_LIMIT_BYTES = 64 * 1024;

export interface DeliveryOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  excerpt: string | null;
}

export const isSuccess = (outcome: DeliveryOutcome): boolean =>
  outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;

// One POST to an endpoint: the address checked as it connects, no redirect followed (a 3xx is the answer), cut
// off after WEBHOOK_TIMEOUT_MS. Never throws: whatever happened is the outcome the log shows.
@Injectable()
export class WebhookSender {
  private readonly timeoutMs: number;

  constructor(
    private readonly destinations: WebhookDestinations,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.timeoutMs = config.webhooks.timeoutMs;
  }

  async post(target: string, headers: Record<string, string>, body: string): Promise<DeliveryOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(target);
    let lookup;
    try {
      ({ lookup } = this.destinations.guard(url));
    } catch (error) {
      return { statusCode: null, error: messageOf(error), durationMs: 0, excerpt: null };
    }
    return new Promise<DeliveryOutcome>((resolve) => {
      let settled = false;
      const done = (outcome: Omit<DeliveryOutcome, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...outcome, durationMs: elapsed() });
      };
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: 'POST',
        agent: false,
        lookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'MCA-Manager-Webhooks/1.0',
        },
      });
      const timer = setTimeout(() => {
        done({ statusCode: null, error: `No answer within ${this.timeoutMs / 1000} s: timed out`, excerpt: null });
        req.destroy();
      }, this.timeoutMs);
      req.on('socket', (socket) =>
        socket.on('connect', () => {
          const reason =
            socket.remoteAddress && this.destinations.refusal(socket.remoteAddress, socket.remotePort ?? 0);
          if (reason) {
            done({ statusCode: null, error: `${socket.remoteAddress}, ${reason}`, excerpt: null });
            req.destroy();
          }
        }),
      );
      req.on('error', (error) => done({ statusCode: null, error: messageOf(error), excerpt: null }));
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let read = 0;
        const finish = () => {
          const excerpt = Buffer.concat(chunks)
            .subarray(0, EXCERPT_BYTES)
            .toString('utf8')
            .replace(/\uFFFD+$/, '');
          done({ statusCode: res.statusCode ?? null, error: null, excerpt: excerpt || null });
          res.destroy();
        };
        res.on('data', (chunk: Buffer) => {
          if (read < EXCERPT_BYTES) chunks.push(chunk);
          read += chunk.length;
          if (read >= READ_LIMIT_BYTES) finish();
        });
        res.on('end', finish);
        res.on('error', finish);
      });
      req.end(body);
    });
  }
}

const messageOf = (error: unknown): string => {
  if (error instanceof RefusedDestinationError) return error.message;
  const code = (error as { code?: string }).code;
  const text = error instanceof Error ? error.message : String(error);
  return (code && !text.includes(code) ? `${code}: ${text}` : text).slice(0, 500);
};
