import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { safeLocalPath } from '../common/safe-redirect';
import { EntraSettingsService } from './entra-settings.service';

// The sign-in page offers "Sign in with Microsoft" when an organisation here uses it, however the page is reached
// (shown, or shown again after a refused password).
@Injectable()
export class LoginOptionsMiddleware implements NestMiddleware {
  constructor(private readonly settings: EntraSettingsService) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (await this.settings.microsoftOffered()) {
      const after = safeLocalPath((req.body as { next?: unknown } | undefined)?.next ?? req.query.next, '');
      res.locals.signInWithMicrosoft = after
        ? `/login/microsoft?${new URLSearchParams({ next: after })}`
        : '/login/microsoft';
    }
    next();
  }
}
