import { HttpStatus } from '@nestjs/common';
import { FormErrorsException } from '../common/form-errors.exception';

// One message for an unknown email, a wrong password and a deactivated user: none of them is revealed.
export class SignInFailedException extends FormErrorsException {
  constructor() {
    super(
      { form: 'Email or password is incorrect.' },
      {
        status: HttpStatus.UNAUTHORIZED,
        view: 'sign-in/login',
        viewData: { title: 'Sign in' },
      },
    );
  }
}

// The email's organisation signs in with Microsoft only: the password was not checked.
export class PasswordSignInOffException extends FormErrorsException {
  constructor() {
    super(
      { form: 'Your organisation signs in with Microsoft: use "Sign in with Microsoft" below.' },
      { status: HttpStatus.FORBIDDEN, view: 'sign-in/login', viewData: { title: 'Sign in' } },
    );
  }
}
