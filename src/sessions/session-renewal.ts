import type { NextFunction, Request, Response } from 'express';

declare module 'express-session' {
  interface SessionData {
    renewedAt?: number;
  }
}

// Every request of a rolling session used to sign and send its cookie again (and touch the store). Instead the
// session is renewed (saved, which also sends the cookie with a new expiry) once its expiry would move by at least
// `intervalMs`: the idle timeout holds to within that interval, and the browser's cookie and the stored row expire
// together. Runs right after express-session, with `rolling: false`; the store reports the stored expiry.
export function renewSession(intervalMs: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const session = req.session as (typeof req.session & { cookie?: { expires?: Date | null } }) | undefined;
    const expires = session?.cookie?.expires;
    const maxAge = session?.cookie?.originalMaxAge;
    if (session && expires && maxAge && Date.now() + maxAge - expires.getTime() >= intervalMs)
      session.renewedAt = Date.now();
    next();
  };
}
