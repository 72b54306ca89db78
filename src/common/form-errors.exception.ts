import { HttpException, HttpStatus } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

export type FieldErrors = Record<string, string>;

// Input that cannot be accepted, with one message per field; shown next to the field in the route's form view
// (@FormView, or `view` here when raised before interceptors run), or as a 400-class page otherwise.
export class FormErrorsException extends HttpException {
  constructor(
    readonly fieldErrors: FieldErrors,
    options: { status?: number; view?: string; viewData?: Record<string, unknown> } = {},
  ) {
    super({ message: 'Some fields need attention', fieldErrors }, options.status ?? HttpStatus.UNPROCESSABLE_ENTITY);
    this.view = options.view;
    this.viewData = options.viewData ?? {};
  }

  readonly view: string | undefined;
  readonly viewData: Record<string, unknown>;

  static fromValidation(errors: ValidationError[]): FormErrorsException {
    const fieldErrors: FieldErrors = {};
    collect(errors, '', fieldErrors);
    return new FormErrorsException(fieldErrors);
  }
}

// A nested body (an API's list of rows) names its fields by path: `rows[2].signatoryEmail`.
function collect(errors: ValidationError[], prefix: string, fieldErrors: FieldErrors): void {
  for (const error of errors) {
    const path = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    // forbidNonWhitelisted's own words ("property x should not exist") read as a bug report, not a refusal.
    if (error.constraints?.whitelistValidation) {
      fieldErrors[path] = 'This field is not known: check its name against the API reference.';
      continue;
    }
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) fieldErrors[path] = messages[0];
    if (error.children?.length) collect(error.children, path, fieldErrors);
  }
}
