import { createParamDecorator, NotFoundException, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ValidationFailedError } from './domain-errors';

// Every table's id is a PostgreSQL `integer` (SQLite's is wider): a number outside 1..2^31-1 names no row, and
// PostgreSQL refuses to compare with it rather than finding nothing.
export const MAX_ID = 2_147_483_647;
const ID_SHAPE = /^[1-9]\d{0,9}$/;

// The one reading of an id that arrives as text (a path, a form field, a query): plain decimal digits, in range.
export function parseId(value: unknown): number | null {
  if (typeof value !== 'string' || !ID_SHAPE.test(value)) return null;
  const id = Number(value);
  return id <= MAX_ID ? id : null;
}

// A path's id (`@PathId('id') id: number`): one that cannot be an id names no page. A decorator of its own, not a
// pipe: the global ValidationPipe would turn the text into a number first ("1e3" into 1000) and hide what was sent.
export const PathId = createParamDecorator((name: string, context: ExecutionContext): number => {
  const id = parseId(context.switchToHttp().getRequest<Request>().params[name]);
  if (id === null) throw new NotFoundException();
  return id;
});

// A form's id field: one that cannot be an id is the form's mistake (a 422 naming the field).
export function formId(body: Record<string, unknown>, field: string): number {
  const id = parseId(body[field]);
  if (id === null) throw new ValidationFailedError({ [field]: 'This is not a valid reference: reload the page.' });
  return id;
}
