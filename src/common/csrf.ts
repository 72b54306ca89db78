import { Injectable, NestMiddleware } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, Response } from 'express';
import { SAFE_METHODS } from './body-parser.middleware';
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
    // The methods csrf-sync ignores by default, skipped here without its promise round trip on every page view.
    if (SAFE_METHODS.has(req.method)) return next();
    await runMiddleware(csrf.csrfSynchronisedProtection, req, res);
    next();
  }
}
