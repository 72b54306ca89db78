import { applyDecorators, Controller, RequestMethod, UseGuards, UseInterceptors } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { ApiBearerAuth, ApiExtraModels, ApiHeader } from '@nestjs/swagger';
import { Public } from '../common/decorators';
import { ApiContextInterceptor } from './api-context.interceptor';
import { ProblemDto } from './api-docs';
import { ApiTokenGuard } from './api-token.guard';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAY_HEADER, IdempotencyInterceptor } from './idempotency.interceptor';

export const API_VERSION_PATH = 'api/v1';

// A controller of the JSON API under /api/v1: authenticated by a bearer token (never by the session, which is not
// even read on these paths), running as that token in its broker; its POSTs accept an Idempotency-Key.
// The Idempotency-Key header on every POST route of the controller, in the OpenAPI document (the interceptor reads
// it on all of them, so no route has to remember to say so).
const IdempotencyKeyDocumented = (): ClassDecorator => (target) => {
  const prototype = target.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const handler = prototype[name];
    if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.POST) continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description: `A key unique to this request (a UUID). A retry with the same key and body gets the first answer again (with \`${IDEMPOTENT_REPLAY_HEADER}: true\`) and changes nothing; a key is kept 24 hours per token. The same key with another body: 422 idempotency-key-reused; while the first request runs: 409 with Retry-After.`,
    })(prototype, name, descriptor);
  }
};

export const ApiController = (path: string) =>
  applyDecorators(
    Controller(`${API_VERSION_PATH}/${path}`),
    Public(),
    UseGuards(ApiTokenGuard),
    UseInterceptors(ApiContextInterceptor, IdempotencyInterceptor),
    IdempotencyKeyDocumented(),
    ApiBearerAuth(),
    ApiExtraModels(ProblemDto),
  );
