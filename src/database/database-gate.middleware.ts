import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { InstallationCheck } from './installation-check.service';

// Every page first: a database deleted or replaced under the app answers 503 with a page that says so, even a page
// whose reads would still have found the deleted file's rows.
@Injectable()
export class DatabaseGateMiddleware implements NestMiddleware {
  constructor(private readonly installation: InstallationCheck) {}

  async use(_req: Request, _res: Response, next: NextFunction): Promise<void> {
    await this.installation.check();
    next();
  }
}
