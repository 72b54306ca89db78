import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

export type FormViewData = Record<string, unknown>;

// What the form's page needs besides the typed values and the messages: fixed, or read when the form is refused
// (the list beside a settings form, the record around an action's form). `error` is what refused it; `this` is the
// route's controller, so that a `function` reads the page through the controller's own services.
export type FormViewDataSource =
  FormViewData | ((this: never, req: Request, error: unknown) => FormViewData | Promise<FormViewData>);

type FormViewDataReader = (req: Request, error: unknown) => FormViewData | Promise<FormViewData>;

export interface FormViewSpec {
  view: string;
  data: FormViewData | FormViewDataReader;
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
    private readonly modules: ModuleRef,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<{ view: string; data: FormViewDataSource } | undefined>(
      FormViewInterceptor.METADATA,
      context.getHandler(),
    );
    if (spec) context.switchToHttp().getRequest<Request>().formView = this.bound(spec, context);
    return next.handle();
  }

  // The controller is looked up only when the form is refused.
  private bound(spec: { view: string; data: FormViewDataSource }, context: ExecutionContext): FormViewSpec {
    const { view, data } = spec;
    if (typeof data !== 'function') return { view, data };
    return {
      view,
      data: (req, error) => data.call(this.modules.get(context.getClass(), { strict: false }) as never, req, error),
    };
  }
}
