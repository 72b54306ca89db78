import type { Request } from 'express';
import type { CurrentUser } from '../common/request-context';

// Signs the user in. passport 0.7 regenerates the session: the caller issues a new CSRF token afterwards (the
// sign-in page's died with the old session).
export const startSession = (req: Request, user: CurrentUser): Promise<void> =>
  new Promise((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
