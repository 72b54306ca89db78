import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

export type FormViewData = Record<string, unknown>;

// What the form's page needs besides the typed values and the messages: fixed, or read when the form is refused
// (the list beside a settings form, the record around an action's form). `error` is what refused it; `controller`
// is the route's controller, so that the page is read through the same services as its GET.
export type FormViewResolver<C = never> = (
  req: Request,
  error: unknown,
  controller: C,
) => FormViewData | Promise<FormViewData>;

export type FormViewDataSource<C = never> = FormViewData | FormViewResolver<C>;

export interface FormViewSpec {
  view: string;
  data: FormViewDataSource;
  controller?: unknown;
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

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<FormViewSpec | undefined>(FormViewInterceptor.METADATA, context.getHandler());
    if (spec) {
      const controller =
        typeof spec.data === 'function' ? this.moduleRef.get(context.getClass(), { strict: false }) : undefined;
      context.switchToHttp().getRequest<Request>().formView = { ...spec, controller };
    }
    return next.handle();
  }
}
