import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

export interface FormViewSpec {
  view: string;
  data: Record<string, unknown>;
}

declare module 'express' {
  interface Request {
    formView?: FormViewSpec;
  }
}

// Runs before the pipes, so that a refused body (or a service's FormErrorsException) knows which form to show.
@Injectable()
export class FormViewInterceptor implements NestInterceptor {
  static readonly METADATA = 'formView';

  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<FormViewSpec | undefined>(FormViewInterceptor.METADATA, context.getHandler());
    if (spec) context.switchToHttp().getRequest<Request>().formView = spec;
    return next.handle();
  }
}
