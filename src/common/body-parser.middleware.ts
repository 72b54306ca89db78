import { Injectable, NestMiddleware } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { runMiddleware } from './run-middleware';

// Forms are small: a generous limit still refuses a flood with a 413 page.
const urlencoded = express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 200 });
const json = express.json({ limit: '200kb' });

@Injectable()
export class BodyParserMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    await runMiddleware(urlencoded, req, res);
    await runMiddleware(json, req, res);
    next();
  }
}
