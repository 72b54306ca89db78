import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Counter } from 'prom-client';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { Metrics } from '../metrics/metrics.service';
import { describeWait, RateLimits, type RateLimit } from '../rate-limits/rate-limits.service';
import { tooManyAttempts } from '../rate-limits/too-many-attempts';
import { SignInFailedException } from './sign-in-failed.exception';

const normalEmail = (email: string) => email.trim().toLowerCase().slice(0, 254);

// Limits that stop password guessing, not an office: only failed sign-ins count (per address, high enough for many
// people behind one, and per email), a success clears that email's failures, and every instance shares the counts.
@Injectable()
export class SignInLimits {
  private readonly login: AppConfig['login'];

  private readonly failures: Counter<'method'>;

  constructor(
    @InjectAppConfig() config: AppConfig,
    private readonly limits: RateLimits,
    metrics: Metrics,
  ) {
    this.failures = metrics.counter('mca_sign_in_failures_total', 'Refused sign-ins, by method', ['method']);
    this.login = config.login;
  }

  async attempt<T>(req: Request, email: string, verify: () => Promise<T>): Promise<T> {
    const [byAddress, byEmail] = this.rules(req.ip ?? 'unknown', normalEmail(email));
    await this.refuseExceeded(req, [byEmail, byAddress], (rule) =>
      rule === byEmail ? 'this email' : 'your network address',
    );
    try {
      const result = await verify();
      await this.limits.clear(byEmail);
      return result;
    } catch (error) {
      if (error instanceof SignInFailedException) {
        this.failures.inc({ method: 'password' });
        await this.limits.hit([byAddress, byEmail]);
      }
      throw error;
    }
  }

  // A sign-in with no email typed (Microsoft's answer): only its address counts, with the password sign-ins'.
  async attemptFromAddress<T>(req: Request, verify: () => Promise<T>, failed: (error: unknown) => boolean): Promise<T> {
    const [byAddress] = this.rules(req.ip ?? 'unknown', '');
    await this.refuseExceeded(req, [byAddress], () => 'your network address');
    try {
      return await verify();
    } catch (error) {
      if (failed(error)) {
        this.failures.inc({ method: 'microsoft' });
        await this.limits.hit([byAddress]);
      }
      throw error;
    }
  }

  private async refuseExceeded(req: Request, rules: RateLimit[], who: (rule: RateLimit) => string): Promise<void> {
    const exceeded = await this.limits.firstExceeded(rules);
    if (!exceeded) return;
    const wait = describeWait(exceeded.retryAfterSeconds);
    throw tooManyAttempts(
      req,
      exceeded.retryAfterSeconds,
      { form: `Too many attempts: too many failed sign-ins for ${who(exceeded.rule)}. Try again in ${wait}.` },
      'sign-in/login',
    );
  }

  private rules(address: string, email: string): [RateLimit, RateLimit] {
    const windowSeconds = this.login.windowSeconds;
    return [
      { bucket: 'sign-in-failure:ip', subject: address, limit: this.login.perIp, windowSeconds },
      { bucket: 'sign-in-failure:email', subject: email, limit: this.login.perEmail, windowSeconds },
    ];
  }
}
