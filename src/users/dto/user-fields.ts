import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsString, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { TextField } from '../../common/text-field.decorators';
import { USER_ROLES } from '../../auth/user-role';
import { passwordProblem } from '../password-policy';

export const PASSWORD_MIN_LENGTH = 12;

export const EmailField = () =>
  applyDecorators(
    TextField('Email', 254),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value)),
    IsEmail({}, { message: 'Enter a valid email address, like name@example.com' }),
  );

// Never trimmed: spaces are part of a password (but not all of it).
export const NewPasswordField = () =>
  applyDecorators(
    IsString({ message: 'Enter a password' }),
    IsNotEmpty({ message: 'Enter a password' }),
    MinLength(PASSWORD_MIN_LENGTH, { message: `Password must be at least ${PASSWORD_MIN_LENGTH} characters` }),
    MaxLength(1000, { message: 'Password must be at most 1000 characters' }),
    ValidateBy({
      name: 'acceptablePassword',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && passwordProblem(value) === null,
        defaultMessage: (args) => passwordProblem(String(args?.value)) ?? 'Choose another password',
      },
    }),
  );

export const RoleField = () => IsIn(USER_ROLES, { message: 'Choose a role: admin, operator or viewer' });
