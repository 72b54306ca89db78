import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { FormViewInterceptor } from './form-view.interceptor';

export const PUBLIC_ROUTE = 'publicRoute';

// Reachable without signing in (sign-in, setup, health, the customer's public pages).
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

// Names the view that shows this route's form again, with the messages next to the fields, when input is refused.
export const FormView = (view: string, data: Record<string, unknown> = {}) =>
  applyDecorators(SetMetadata(FormViewInterceptor.METADATA, { view, data }), UseInterceptors(FormViewInterceptor));
