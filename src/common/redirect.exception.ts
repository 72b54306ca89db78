import { HttpException, HttpStatus } from '@nestjs/common';

// Ends a request with a 303 to another page (sign-in, setup), raised from a guard.
export class RedirectException extends HttpException {
  constructor(readonly location: string) {
    super('Redirect', HttpStatus.SEE_OTHER);
  }
}
