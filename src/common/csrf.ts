import { Injectable, NestMiddleware } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, Response } from 'express';
import { SAFE_METHODS } from './body-parser.middleware';
import { isApiRequest } from './problem-details';
import { runMiddleware } from './run-middleware';

// Synchronizer token bound to the session: forms send `_csrf`, htmx sends the X-CSRF-Token header.
// One token per session (made once, kept in it): 32 random bytes are ample, and the session, hashed and parsed on
// every request, stays small (csrf-sync's default is 128).
export const csrf = csrfSync({
  size: 32,
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof fromBody === 'string' ? fromBody : req.get('X-CSRF-Token');
  },
});

@Injectable()
export class CsrfMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    // The methods csrf-sync ignores by default, skipped here without its promise round trip on every page view. The
    // API has no session and so nothing to forge; it is excluded from the pages' middleware, but Nest still runs that
    // middleware for a path with a line break in it (`/api/v1/attestations/a%0Ab/cancel`), which must get the API's
    // own answer (a 404 or a 401), not a failure to find a session.
    if (SAFE_METHODS.has(req.method) || isApiRequest(req)) return next();
    await runMiddleware(csrf.csrfSynchronisedProtection, req, res);
    next();
  }
}
