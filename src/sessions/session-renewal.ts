import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../common/clock';

declare module 'express-session' {
  interface SessionData {
    renewedAt?: number;
  }
}

// Every request of a rolling session used to sign and send its cookie again (and touch the store). Instead the
// session is renewed (saved, which also sends the cookie with a new expiry) once its expiry would move by at least
// `intervalMs`: the idle timeout holds to within that interval, and the browser's cookie and the stored row expire
// together. Runs right after express-session, with `rolling: false`; the store reports the stored expiry.
export function renewSession(intervalMs: number, clock: Clock) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const session = req.session as (typeof req.session & { cookie?: { expires?: Date | null } }) | undefined;
    const expires = session?.cookie?.expires;
    const maxAge = session?.cookie?.originalMaxAge;
    const now = clock.nowMs();
    if (session && expires && maxAge && now + maxAge - expires.getTime() >= intervalMs) session.renewedAt = now;
    next();
  };
}

// A redirect leaves once the session is written. express-session sends a response's headers before its save has
// finished, so a browser following a redirect could ask for the next page before the one-time messages for that page
// were stored, and it would show none (seen under load, when the store's write waited its turn behind others).
export function saveBeforeRedirect() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      // A session with nothing in it yet (a visitor sent to sign in) is not stored for a redirect.
      if (!req.session || Object.keys(req.session).every((key) => key === 'cookie')) return redirect(...args);
      req.session.save((error?: unknown) => (error ? next(error) : redirect(...args)));
    }) as typeof res.redirect;
    next();
  };
}
