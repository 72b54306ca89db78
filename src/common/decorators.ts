import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { FormViewInterceptor, type FormViewDataSource } from './form-view.interceptor';

export const PUBLIC_ROUTE = 'publicRoute';

// Reachable without signing in (sign-in, setup, health, the customer's public pages).
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

// Names the view that shows this route's form again when input is refused: a refused body, or a domain error from
// the service (AppExceptionFilter maps each to its status and puts its message next to the field, or above the form).
// Every route that takes a form declares one, so its handler needs no `try`.
// `data` may read the page through the route's controller: `@FormView(VIEW, (req, error, c: C) => c.page(req))`.
export const FormView = <C = never>(view: string, data: FormViewDataSource<C> = {}) =>
  applyDecorators(SetMetadata(FormViewInterceptor.METADATA, { view, data }), UseInterceptors(FormViewInterceptor));
