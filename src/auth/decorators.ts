import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { CurrentUser as ContextUser } from '../common/request-context';
import type { UserRole } from './user-role';

export const REQUIRED_ROLES = 'requiredRoles';

// The signed-in user, with the role as auth knows it (common/ keeps it a plain string).
export interface SignedInUser extends ContextUser {
  role: UserRole;
}

// Limits a controller or handler to these roles (RolesGuard).
export const Roles = (...roles: UserRole[]) => SetMetadata(REQUIRED_ROLES, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): SignedInUser => {
  return ctx.switchToHttp().getRequest<Request>().user as SignedInUser;
});
