import { Injectable } from '@nestjs/common';
import { JobHandler } from '../jobs/job-handler';
import { PasswordsService, RESET_REQUEST_JOB } from './passwords.service';

// A "forgot password" request, answered later than the form so that its answer takes as long for every email.
@Injectable()
@JobHandler({ type: RESET_REQUEST_JOB, attempts: 3 })
export class PasswordResetRequestHandler implements JobHandler<{ email: string }> {
  constructor(private readonly passwords: PasswordsService) {}

  parse(payload: unknown): { email: string } {
    const email = (payload as { email?: unknown } | null)?.email;
    if (typeof email !== 'string' || email.length === 0) throw new Error('email must be a non-empty string');
    return { email };
  }

  handle({ email }: { email: string }): Promise<void> {
    return this.passwords.issueRequestedLink(email);
  }
}
