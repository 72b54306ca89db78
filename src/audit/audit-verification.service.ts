import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { RateLimits, type RateLimit } from '../rate-limits/rate-limits.service';
import { AuditVerifier } from './audit-verifier.service';

// What the Audit trail's "Verify the chain" answers. Kept in the session between the POST and the page it
// redirects to, so it holds plain values only.
export type Verification =
  | { kind: 'intact'; at: string; events: number }
  | { kind: 'broken'; at: string; eventId: number | null; seq: number; reason: string }
  | { kind: 'refused'; retryAfterSeconds: number };

declare module 'express-session' {
  interface SessionData {
    auditVerification?: Verification;
  }
}

// A check reads the broker's whole chain: about 4 to 7 seconds for 100,000 events on SQLite on a shared 2-CPU
// machine. Ten an hour per broker bounds what the button can cost; clicks while one runs share its answer.
export const VERIFY_LIMIT = { bucket: 'audit-verify', limit: 10, windowSeconds: 3600 } as const;

// The page's check of a broker's chain: the same AuditVerifier as `npm run cli -- audit:verify`, one broker's chain.
// Not an audit event: it changes nothing, and each check would otherwise add to the chain it checks. It is logged.
@Injectable()
export class AuditVerification {
  private readonly logger = new Logger('AuditVerification');
  private readonly running = new Map<number, Promise<Verification>>();

  constructor(
    private readonly verifier: AuditVerifier,
    private readonly limits: RateLimits,
    private readonly clock: Clock,
  ) {}

  run(brokerId: number, by: string): Promise<Verification> {
    const current = this.running.get(brokerId);
    if (current) return current;
    const run = this.limitedCheck(brokerId, by).finally(() => this.running.delete(brokerId));
    this.running.set(brokerId, run);
    return run;
  }

  private async limitedCheck(brokerId: number, by: string): Promise<Verification> {
    const rule: RateLimit = { ...VERIFY_LIMIT, subject: String(brokerId) };
    const wait = await this.limits.retryAfterSeconds(rule);
    if (wait !== null) return { kind: 'refused', retryAfterSeconds: wait };
    await this.limits.hit([rule]);
    const result = await this.verifier.verifyBroker(brokerId);
    const at = this.clock.now().toISOString();
    if ('reason' in result) {
      this.logger.warn(
        `Audit chain of broker ${brokerId} BROKEN at seq ${result.seq} (checked by ${by}): ${result.reason}`,
      );
      return { kind: 'broken', at, eventId: result.eventId, seq: result.seq, reason: result.reason };
    }
    this.logger.log(`Audit chain of broker ${brokerId} intact, ${result.events} events (checked by ${by})`);
    return { kind: 'intact', at, events: result.events };
  }
}
