// The durable floor this feature stands on (jobs, mail outbox, audit trail, the tenants' writer), reached through
// this one file. RecurringJobs (CONTRACTS.md) is not in main yet: RecurringTicker below stands in for it with the
// contract's `define`, and goes when the real one lands (AttestationsModule then drops it from its providers).
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { SqlService } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';

export { AuditTrail, type AuditEventView } from '../audit/audit-trail.service';
export { PermanentJobError, RetryLaterError, type JobContext, type JobHandler } from '../jobs/job-handler';
export { JobQueue } from '../jobs/job-queue.service';
export { JobRegistry } from '../jobs/job-registry';
export { Outbox } from '../mail/outbox.service';
export { TenantWriter } from '../tenants/tenant-writer';

// Enqueues each defined job every `everyMs`, once across instances: its unique key holds while one is queued or
// running, so a tick that finds one waiting adds nothing.
@Injectable()
export class RecurringJobs implements OnApplicationShutdown {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly sql: SqlService,
    private readonly queue: JobQueue,
  ) {}

  define(def: { name: string; type: string; payload?: Record<string, unknown>; everyMs: number }): Promise<void> {
    const tick = () =>
      this.sql
        .transaction((tx) =>
          this.queue.enqueue(tx, def.type, def.payload ?? {}, {
            uniqueKey: `recurring:${def.name}`,
            uniqueScope: 'active',
          }),
        )
        .catch(() => undefined);
    const timer = setInterval(tick, def.everyMs);
    timer.unref();
    this.timers.push(timer);
    return tick().then(() => undefined);
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearInterval(timer);
  }
}
