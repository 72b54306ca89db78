import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SqlService } from '../database/sql.service';
import { JobHandler } from '../jobs/job-handler';
import { HOURLY_PRUNE, RecurringPrune } from '../jobs/recurring-prune';
import { ApiTokensRepository } from './api-tokens.repository';
import { rateWindowStart } from './api-tokens.service';

export const API_REQUEST_COUNTS_PRUNE_JOB = 'api-token.counts-prune';

// Deletes the rate limit's past minutes: only the current one is ever read. An hour holds at most sixty rows per
// token that was used, so one short statement deletes them.
@Injectable()
@JobHandler({ type: API_REQUEST_COUNTS_PRUNE_JOB, recurring: HOURLY_PRUNE })
export class RequestCountsPruneHandler extends RecurringPrune {
  constructor(
    sql: SqlService,
    clock: Clock,
    private readonly tokens: ApiTokensRepository,
  ) {
    super(sql, clock);
  }

  prune(now: Date): Promise<number> {
    return this.tokens.deleteRequestCountsBefore(rateWindowStart(now));
  }
}
