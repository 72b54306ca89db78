import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseInterceptors } from '@nestjs/common';
import type { Request } from 'express';
import type { UserRole } from '../users/user-role';
import { FormViewInterceptor } from './form-view.interceptor';
import type { CurrentUser as CurrentUserShape } from './request-context';

export const PUBLIC_ROUTE = 'publicRoute';
export const REQUIRED_ROLES = 'requiredRoles';

// Reachable without signing in (sign-in, setup, health, the customer's public pages).
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const Roles = (...roles: UserRole[]) => SetMetadata(REQUIRED_ROLES, roles);

// Names the view that shows this route's form again, with the messages next to the fields, when input is refused.
export const FormView = (view: string, data: Record<string, unknown> = {}) =>
  applyDecorators(SetMetadata(FormViewInterceptor.METADATA, { view, data }), UseInterceptors(FormViewInterceptor));

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): CurrentUserShape => {
  return ctx.switchToHttp().getRequest<Request>().user as CurrentUserShape;
});
