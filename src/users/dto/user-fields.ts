import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { TextField } from '../../common/text-field.decorators';
import { USER_ROLES } from '../../auth/user-role';

export const PASSWORD_MIN_LENGTH = 12;

export const EmailField = () =>
  applyDecorators(
    TextField('Email', 254),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value)),
    IsEmail({}, { message: 'Enter a valid email address, like name@example.com' }),
  );

// Never trimmed: spaces are part of a password.
export const NewPasswordField = () =>
  applyDecorators(
    IsString({ message: 'Enter a password' }),
    MinLength(PASSWORD_MIN_LENGTH, { message: `Password must be at least ${PASSWORD_MIN_LENGTH} characters` }),
    MaxLength(1000, { message: 'Password must be at most 1000 characters' }),
  );

export const RoleField = () => IsIn(USER_ROLES, { message: 'Choose a role: admin, operator or viewer' });
