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
    for (const error of errors) {
      // forbidNonWhitelisted's own words ("property x should not exist") read as a bug report, not a refusal.
      if (error.constraints?.whitelistValidation) {
        fieldErrors[error.property] = 'This field is not known: check its name against the API reference.';
        continue;
      }
      const messages = Object.values(error.constraints ?? {});
      if (messages.length > 0) fieldErrors[error.property] = messages[0];
    }
    return new FormErrorsException(fieldErrors);
  }
}
