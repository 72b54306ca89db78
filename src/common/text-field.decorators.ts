import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { nameTextProblem, NOT_NAME_TEXT } from './name-text';

// U+FFFD is what the body parser leaves for bytes that were not UTF-8; control characters have no place in a form.
const CLEAN_TEXT = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]*$/;

export const trim = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

// A person's or an organisation's name: text, and none of what a name must not hold (name-text.ts).
export function NameField(label: string, maxLength: number) {
  return applyDecorators(
    TextField(label, maxLength),
    Matches(new RegExp(`^[^${NOT_NAME_TEXT.source.slice(1, -1)}]*$`), { message: nameTextProblem(label) }),
  );
}

export function TextField(label: string, maxLength: number, options: { required?: boolean } = {}) {
  const decorators = [
    trim,
    IsString({ message: `${label} must be text` }),
    MaxLength(maxLength, { message: `${label} must be at most ${maxLength} characters` }),
    Matches(CLEAN_TEXT, { message: `${label} contains characters that are not valid text` }),
  ];
  if (options.required !== false) decorators.unshift(IsNotEmpty({ message: `Enter ${label.toLowerCase()}` }));
  return applyDecorators(...decorators);
}

// A field whose rules are all the service's, in its own words next to the field: here only that it is text when sent.
export const OptionalText = (label: string) =>
  applyDecorators(IsOptional(), IsString({ message: `${label} must be text` }));
