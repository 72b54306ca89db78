import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PUBLIC_ROUTE } from '../common/decorators';
import { RedirectException } from '../common/redirect.exception';
import { REQUIRED_ROLES, type SignedInUser } from './decorators';
import type { UserRole } from './user-role';
import { SetupCheck } from './setup-check';

// Global: every route needs a signed-in user unless marked @Public(); an empty install leads to the setup page.
@Injectable()
export class AuthenticatedGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly setup: SetupCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]))
      return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (req.user) return true;
    if (await this.setup.isSetupNeeded()) throw new RedirectException('/setup');
    throw new UnauthorizedException();
  }
}

// Global: @Roles(...) on a controller or handler limits it to those roles.
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(REQUIRED_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles) return true;
    const user = context.switchToHttp().getRequest<Request>().user as SignedInUser | undefined;
    if (!user || !roles.includes(user.role)) throw new ForbiddenException();
    return true;
  }
}
