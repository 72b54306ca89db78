import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

export type FormViewData = Record<string, unknown>;

// What the form's page needs besides the typed values and the messages: fixed, or read when the form is refused
// (the list beside a settings form, the record around an action's form). `error` is what refused it.
export type FormViewDataSource =
  FormViewData | ((req: Request, error: unknown) => FormViewData | Promise<FormViewData>);

export interface FormViewSpec {
  view: string;
  data: FormViewDataSource;
}

declare module 'express' {
  interface Request {
    formView?: FormViewSpec;
  }
}

// Runs before the pipes, so that a refused body (or a service's domain error) knows which form to show.
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
