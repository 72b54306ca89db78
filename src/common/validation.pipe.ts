import { Injectable, ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { FormErrorsException } from './form-errors.exception';

const REJECTS_UNKNOWN_FIELDS = Symbol('rejectsUnknownFields');

// On an input class whose callers are programs (the JSON API): a field the class does not declare is refused by
// name rather than dropped, so a misspelt `autoFinalise` is not silently ignored.
export const RejectUnknownFields = (): ClassDecorator => (target) =>
  Reflect.defineMetadata(REJECTS_UNKNOWN_FIELDS, true, target);

const options = {
  transform: true,
  whitelist: true,
  stopAtFirstError: true,
  exceptionFactory: FormErrorsException.fromValidation,
};

// The global pipe: every body and query DTO is validated; forms' unknown fields (a browser extension's, `_csrf`) are
// dropped, the API's refused.
@Injectable()
export class AppValidationPipe implements PipeTransform {
  private readonly lenient = new ValidationPipe(options);
  private readonly strict = new ValidationPipe({ ...options, forbidNonWhitelisted: true });

  transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const strict = metadata.metatype !== undefined && Reflect.getMetadata(REJECTS_UNKNOWN_FIELDS, metadata.metatype);
    return (strict ? this.strict : this.lenient).transform(value, metadata);
  }
}
