import { HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { FormErrorsException, type FieldErrors } from '../common/form-errors.exception';

// A 429 with the standard Retry-After header and the form shown again with the real wait next to the field.
export function tooManyAttempts(
  req: Request,
  retryAfterSeconds: number,
  fieldErrors: FieldErrors,
  view?: string,
  viewData?: Record<string, unknown>,
): FormErrorsException {
  req.res?.setHeader('Retry-After', String(retryAfterSeconds));
  return new FormErrorsException(fieldErrors, { status: HttpStatus.TOO_MANY_REQUESTS, view, viewData });
}
