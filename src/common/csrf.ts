import { Injectable, NestMiddleware } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, Response } from 'express';
import { runMiddleware } from './run-middleware';

// Synchronizer token bound to the session: forms send `_csrf`, htmx sends the X-CSRF-Token header.
export const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof fromBody === 'string' ? fromBody : req.get('X-CSRF-Token');
  },
});

@Injectable()
export class CsrfMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    await runMiddleware(csrf.csrfSynchronisedProtection, req, res);
    next();
  }
}
