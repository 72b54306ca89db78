import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { scopeAllows, type ApiTokenScope } from '../api-tokens/api-token-scope';
import { ApiTokensService } from '../api-tokens/api-tokens.service';
import { NotAllowedError, TooManyAttemptsError } from '../common/domain-errors';
import { API_SCOPE } from './api-principal';

const READ_METHODS = new Set(['GET', 'HEAD']);

// Every API route: the bearer token names the broker and the actor; it is within its rate limit (every answer says
// how much of the minute is left, in the RateLimit-* headers); its scope must allow the route.
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly tokens: ApiTokensService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const principal = await this.tokens.authenticate(req.get('authorization'));
    req.apiPrincipal = principal;
    const allowance = await this.tokens.countRequest(principal.tokenId);
    context
      .switchToHttp()
      .getResponse<Response>()
      .set({
        'RateLimit-Limit': String(allowance.limit),
        'RateLimit-Remaining': String(allowance.remaining),
        'RateLimit-Reset': String(allowance.resetSeconds),
      });
    if (allowance.refused) throw new TooManyAttemptsError(allowance.refused, allowance.resetSeconds);
    const needed =
      this.reflector.getAllAndOverride<ApiTokenScope | undefined>(API_SCOPE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? (READ_METHODS.has(req.method) ? 'read' : 'write');
    if (!scopeAllows(principal.scope, needed))
      throw new NotAllowedError(`This token may only read: "${principal.name}" has the read scope.`);
    return true;
  }
}
