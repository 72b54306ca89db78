import type { NextFunction, Request, RequestHandler, Response } from 'express';

// Runs an Express middleware and turns its next(err) into a thrown error, so Nest's exception filter renders it
// (an error passed to next() from Nest middleware would otherwise reach Express's default handler).
export function runMiddleware(handler: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    const next: NextFunction = (err?: unknown) => (err ? reject(err) : resolve());
    void handler(req, res, next);
  });
}
