import { Injectable, NestMiddleware, PayloadTooLargeException } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { runMiddleware } from './run-middleware';

// Forms are small: a generous limit still refuses a flood with a 413 page.
const LIMIT = '200kb';
const MAX_FIELDS = 200;
const formText = express.text({ type: 'application/x-www-form-urlencoded', limit: LIMIT });
const json = express.json({ limit: LIMIT });

// WHATWG form decoding: bytes that are not UTF-8 (raw or percent-encoded) become U+FFFD, which the text
// validators refuse with a message, rather than slipping through as literal "%FF" the way qs leaves them.
export function parseFormBody(text: string): Record<string, string | string[]> {
  const fields = new Map<string, string | string[]>();
  let count = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    if (++count > MAX_FIELDS) throw new PayloadTooLargeException(`A form may have at most ${MAX_FIELDS} fields`);
    const previous = fields.get(key);
    fields.set(key, previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]);
  }
  return Object.fromEntries(fields);
}

// Requests that change nothing carry no body worth reading (and CSRF lets them through unchecked).
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

@Injectable()
export class BodyParserMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (SAFE_METHODS.has(req.method)) return next();
    await runMiddleware(formText, req, res);
    if (typeof req.body === 'string') req.body = parseFormBody(req.body);
    else await runMiddleware(json, req, res);
    next();
  }
}
