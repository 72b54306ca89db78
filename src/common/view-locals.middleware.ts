import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { csrf } from './csrf';
import { takeFlash } from './flash';
import { runForUser, type CurrentUser } from './request-context';

// What every page's layout needs, and the request's context: its broker for BrokerScope, and its actor (the
// signed-in user) for the audit trail. The user's own locals (role label and the like) are auth's.
@Injectable()
export class ViewLocalsMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const user = req.user as CurrentUser | undefined;
    res.locals.csrfToken = req.session ? csrf.generateToken(req) : '';
    res.locals.path = req.path;
    // Read when a page renders, not before: a redirect keeps the messages for the page that follows it.
    Object.defineProperty(res.locals, 'flash', { enumerable: true, configurable: true, get: () => takeFlash(req) });
    res.vary('HX-Request');
    // A signed-in page holds a broker's data, and a signed-out one its session's CSRF token or a reset link's
    // token: neither the browser's history cache nor a proxy may keep any of them.
    res.set('Cache-Control', 'no-store');
    runForUser(user, next);
  }
}
