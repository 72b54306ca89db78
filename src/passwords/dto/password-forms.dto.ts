import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { EmailField, NewPasswordField } from '../../users/dto/user-fields';

export class ChangePasswordDto {
  // Never trimmed or checked beyond its size: it is compared, and a wrong one is said to be wrong.
  @IsString({ message: 'Enter your current password' })
  @IsNotEmpty({ message: 'Enter your current password' })
  @MaxLength(1000, { message: 'Your current password is not correct' })
  currentPassword: string;

  @NewPasswordField()
  password: string;
}

export class ForgotPasswordDto {
  @EmailField()
  email: string;
}

export class ResetPasswordDto {
  // The link's token, carried by the form; anything that is not one is answered as an unusable link.
  @IsString({ message: 'This password reset link is not valid.' })
  @MaxLength(100, { message: 'This password reset link is not valid.' })
  token: string;

  @NewPasswordField()
  password: string;
}
