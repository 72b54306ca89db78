import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SqlService } from '../database/sql.service';
import { JobHandler } from '../jobs/job-handler';
import { HOURLY_PRUNE, PRUNE_BATCH, RecurringPrune } from '../jobs/recurring-prune';
import { IDEMPOTENCY_KEY_TTL_MS } from './idempotency.interceptor';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';

export const IDEMPOTENCY_PRUNE_JOB = 'api.idempotency-prune';

// Deletes Idempotency-Keys older than a day: by then a retry is a new request (the interceptor already treats an
// older key as unknown; this keeps the table small).
@Injectable()
@JobHandler({ type: IDEMPOTENCY_PRUNE_JOB, recurring: HOURLY_PRUNE })
export class IdempotencyPruneHandler extends RecurringPrune {
  constructor(
    sql: SqlService,
    clock: Clock,
    private readonly keys: IdempotencyKeysRepository,
  ) {
    super(sql, clock);
  }

  prune(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS);
    return this.deleteInBatches(
      () => this.keys.createdBefore(cutoff, PRUNE_BATCH),
      (tx, ids) => this.keys.delete(tx, ids),
    );
  }
}
