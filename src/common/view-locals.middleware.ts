import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ROLE_LABELS } from '../users/user-role';
import { csrf } from './csrf';
import { takeFlash } from './flash';
import { requestContext, type CurrentUser } from './request-context';

// What every page's layout needs, and the request's broker context for BrokerScope.
@Injectable()
export class ViewLocalsMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const user = req.user as CurrentUser | undefined;
    res.locals.currentUser = user
      ? {
          ...user,
          roleLabel: ROLE_LABELS[user.role],
          isAdmin: user.role === 'admin',
          canOperate: user.role !== 'viewer',
        }
      : undefined;
    res.locals.csrfToken = req.session ? csrf.generateToken(req) : '';
    res.locals.path = req.path;
    // Read when a page renders, not before: a redirect keeps the messages for the page that follows it.
    Object.defineProperty(res.locals, 'flash', { enumerable: true, configurable: true, get: () => takeFlash(req) });
    res.vary('HX-Request');
    // A signed-in page holds a broker's data: neither the browser's history cache nor a proxy may keep it.
    if (user) res.set('Cache-Control', 'no-store');
    requestContext.run({ user, brokerId: user?.brokerId }, next);
  }
}
