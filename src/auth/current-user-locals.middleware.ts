import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { SignedInUser } from './decorators';
import { ROLE_LABELS } from './user-role';

// The signed-in user as every page's layout shows it, with what their role may do.
@Injectable()
export class CurrentUserLocalsMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const user = req.user as SignedInUser | undefined;
    res.locals.currentUser = user
      ? {
          ...user,
          roleLabel: ROLE_LABELS[user.role],
          isAdmin: user.role === 'admin',
          canOperate: user.role !== 'viewer',
        }
      : undefined;
    next();
  }
}
