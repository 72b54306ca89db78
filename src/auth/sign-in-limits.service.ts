import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request } from 'express';
import type { AppConfig } from '../config/app.config';
import { describeWait, RateLimits, type RateLimit } from '../rate-limits/rate-limits.service';
import { tooManyAttempts } from '../rate-limits/too-many-attempts';
import { SignInFailedException } from './sign-in-failed.exception';

const normalEmail = (email: string) => email.trim().toLowerCase().slice(0, 254);

// Limits that stop password guessing, not an office: only failed sign-ins count (per address, high enough for many
// people behind one, and per email), a success clears that email's failures, and every instance shares the counts.
@Injectable()
export class SignInLimits {
  private readonly login: AppConfig['login'];

  constructor(
    config: ConfigService,
    private readonly limits: RateLimits,
  ) {
    this.login = config.getOrThrow<AppConfig>('app').login;
  }

  async attempt<T>(req: Request, email: string, verify: () => Promise<T>): Promise<T> {
    const [byAddress, byEmail] = this.rules(req.ip ?? 'unknown', normalEmail(email));
    const exceeded = await this.limits.firstExceeded([byEmail, byAddress]);
    if (exceeded) {
      const wait = describeWait(exceeded.retryAfterSeconds);
      const who = exceeded.rule === byEmail ? 'this email' : 'your network address';
      throw tooManyAttempts(
        req,
        exceeded.retryAfterSeconds,
        { form: `Too many attempts: too many failed sign-ins for ${who}. Try again in ${wait}.` },
        'auth/login',
      );
    }
    try {
      const result = await verify();
      await this.limits.clear(byEmail);
      return result;
    } catch (error) {
      if (error instanceof SignInFailedException) await this.limits.hit([byAddress, byEmail]);
      throw error;
    }
  }

  private rules(address: string, email: string): [RateLimit, RateLimit] {
    const windowSeconds = this.login.windowSeconds;
    return [
      { bucket: 'sign-in-failure:ip', subject: address, limit: this.login.perIp, windowSeconds },
      { bucket: 'sign-in-failure:email', subject: email, limit: this.login.perEmail, windowSeconds },
    ];
  }
}
