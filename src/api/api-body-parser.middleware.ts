import { HttpException, HttpStatus, Injectable, NestMiddleware } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { SAFE_METHODS } from '../common/body-parser.middleware';
import { runMiddleware } from '../common/run-middleware';

const LIMIT = '1mb';
const json = express.json({ limit: LIMIT, strict: true, type: () => true });

// API bodies are JSON and nothing else: a form or text body is refused with 415 rather than read as something it
// is not. A request without a body (finalize, cancel) has an empty one.
@Injectable()
export class ApiBodyParserMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (SAFE_METHODS.has(req.method)) return next();
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody) {
      req.body = {};
      return next();
    }
    if (!req.is(['application/json', 'application/*+json']))
      throw new HttpException(
        'Send the body as JSON, with "Content-Type: application/json".',
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      );
    await runMiddleware(json, req, res);
    next();
  }
}
