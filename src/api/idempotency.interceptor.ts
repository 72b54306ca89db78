import {
  BadRequestException,
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, Observable, of } from 'rxjs';
import { problemAnswer } from '../common/app-exception.filter';
import { Clock } from '../common/clock';
import { ConflictError, IdempotencyKeyReusedError } from '../common/domain-errors';
import { PROBLEM_CONTENT_TYPE } from '../common/problem-details';
import { IdempotencyKeysRepository, type IdempotencyRecord } from './idempotency-keys.repository';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
// Set on an answer that was stored and is sent again, not made again.
export const IDEMPOTENT_REPLAY_HEADER = 'Idempotent-Replayed';
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60_000;
// How long a first request may hold its key before a retry presumes it died and runs the request again: longer than
// any request takes (Partner Center's calls with their retries, the create's wait for a parallel submit).
const IDEMPOTENCY_RUNNING_LEASE_MS = 2 * 60_000;
const RETRY_AFTER_SECONDS = 1;
const KEY = /^[\x21-\x7e]{1,255}$/;

interface IdempotentRequest {
  key: string;
  tokenId: number;
  // When this use of the key began: a request run again for the same use (its first one died) gets the same id.
  since: Date;
}

declare module 'express-serve-static-core' {
  interface Request {
    idempotency?: IdempotentRequest;
  }
}

// The same JSON with its keys in one order: a retry that sends the fields in another order is the same request.
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
        )
      : value;

const requestHash = (req: Request): string =>
  createHash('sha256')
    .update(JSON.stringify([req.method, req.path, canonical(req.body ?? {})]))
    .digest('hex');

// A UUID that names one use of one key by one token: a change that must reach an outside system once (an
// attestation's MS-RequestId, the create's one-time token) is asked for with it, so that the request, run again
// after its first run died between its change and the stored answer, finds what it made instead of making it twice.
export const IdempotentRequestId = createParamDecorator((_: unknown, ctx: ExecutionContext): string | null => {
  const idempotency = ctx.switchToHttp().getRequest<Request>().idempotency;
  if (!idempotency) return null;
  const hex = createHash('sha256')
    .update(`api:${idempotency.tokenId}:${idempotency.since.toISOString()}:${idempotency.key}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
});

// `Idempotency-Key` on every API POST: the first request with a key runs and its answer is stored for the token for
// a day; a retry with the same key and body gets that answer again (with `Idempotent-Replayed: true`) and does
// nothing; the same key with another body is refused (422). While the first still runs, a parallel retry is told
// 409 with Retry-After rather than kept waiting, and never runs it a second time. A 5xx or 429 answer is not
// stored: the key is released and a retry runs again.
//
// The stored answer is written after the change's own transaction committed, not inside it (the services own their
// transactions, as the pages use them). Should the process die between the two, the key stays `running`: retries get
// 409 until the lease ends, then one retry takes the key over and runs the request again. A create then finds the
// attestation it made through IdempotentRequestId (same MS-RequestId and one-time token) and answers it, and a
// finalize asked twice is one request; a cancel run again is refused by the state machine (409) having done nothing.
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly keys: IdempotencyKeysRepository,
    private readonly clock: Clock,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (req.method !== 'POST' || key === undefined) return next.handle();
    if (!KEY.test(key))
      throw new BadRequestException(
        'The Idempotency-Key must be 1 to 255 printable ASCII characters without spaces, like a UUID.',
      );
    const tokenId = req.apiPrincipal!.tokenId;
    const hash = requestHash(req);
    const begun = await this.begin(tokenId, key, hash, res);
    if ('replay' in begun) return of(this.replay(res, begun.replay));
    req.idempotency = { key, tokenId, since: begun.since };
    return from(this.runOnce(req, res, next, { tokenId, key }));
  }

  // Claims the key for this request, or finds the answer to replay; refuses a reused or busy key.
  private async begin(
    tokenId: number,
    key: string,
    hash: string,
    res: Response,
  ): Promise<{ since: Date } | { replay: IdempotencyRecord }> {
    const now = this.clock.now();
    // Each round either claims the key, replays, refuses, or saw it change under it (released, taken over) and looks
    // again; a few rounds settle any race.
    for (let round = 0; round < 3; round++) {
      if (await this.keys.claim(tokenId, key, hash, now)) return { since: now };
      const record = await this.keys.find(tokenId, key);
      if (!record) continue;
      // A day old: forgotten, as if pruned already.
      if (now.getTime() - record.createdAt.getTime() >= IDEMPOTENCY_KEY_TTL_MS) {
        if (await this.keys.takeOver(record, hash, now, true)) return { since: now };
        continue;
      }
      if (record.requestHash !== hash)
        throw new IdempotencyKeyReusedError(
          'This Idempotency-Key was already used with a different request: use a new key for a new request.',
        );
      if (record.state === 'done') return { replay: record };
      if (now.getTime() - record.startedAt.getTime() >= IDEMPOTENCY_RUNNING_LEASE_MS) {
        if (await this.keys.takeOver(record, hash, now, false)) return { since: record.createdAt };
        continue;
      }
      break;
    }
    res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    throw new ConflictError(
      'A request with this Idempotency-Key is still being processed: retry in a moment to get its answer.',
    );
  }

  private replay(res: Response, record: IdempotencyRecord): unknown {
    res.status(record.responseStatus!);
    res.set(IDEMPOTENT_REPLAY_HEADER, 'true');
    res.type(record.responseType!);
    return record.responseBody ? JSON.parse(record.responseBody) : undefined;
  }

  private async runOnce(
    req: Request,
    res: Response,
    next: CallHandler,
    id: { tokenId: number; key: string },
  ): Promise<unknown> {
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      const problem = problemAnswer(req, error);
      const { status } = problem;
      await this.settle(
        id,
        status >= 500 || status === 429 ? null : { status, type: PROBLEM_CONTENT_TYPE, body: problem.body },
      );
      throw error;
    }
    await this.settle(id, { status: res.statusCode, type: 'application/json', body });
    return body;
  }

  // Stores the answer (or releases the key); a failure to do so is logged, not answered: the change is made, and the
  // caller must hear so. The key then stays running until its lease ends (see the class's comment).
  private async settle(
    { tokenId, key }: { tokenId: number; key: string },
    answer: { status: number; type: string; body: unknown } | null,
  ): Promise<void> {
    try {
      if (answer === null) await this.keys.release(tokenId, key);
      else
        await this.keys.answer(tokenId, key, {
          status: answer.status,
          type: answer.type,
          body: answer.body === undefined ? '' : JSON.stringify(answer.body),
        });
    } catch (error) {
      this.logger.warn(`Idempotency-Key answer not stored: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
