import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { ApiTokenScope } from '../api-tokens/api-token-scope';
import type { ApiPrincipal } from '../api-tokens/api-tokens.service';

declare module 'express-serve-static-core' {
  interface Request {
    apiPrincipal?: ApiPrincipal;
  }
}

export const API_SCOPE = 'apiScope';

// The scope a route needs; without it, reads need `read` and every other method `write`.
export const ApiScope = (scope: ApiTokenScope) => SetMetadata(API_SCOPE, scope);

// The token the request acts as (set by ApiTokenGuard).
export const Principal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): ApiPrincipal => ctx.switchToHttp().getRequest<Request>().apiPrincipal!,
);
