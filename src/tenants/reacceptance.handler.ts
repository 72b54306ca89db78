import { Injectable } from '@nestjs/common';
import { JobHandler, type JobContext } from '../jobs/job-handler';
import { REACCEPTANCE_JOB, reacceptanceKey } from './acceptance-policy';
import { TenantWriter } from './tenant-writer';

// After the broker's "require acceptance on or after" date changed: its tenants marked again, in batches.
@Injectable()
@JobHandler({
  type: REACCEPTANCE_JOB,
  unique: { key: (_payload, brokerId) => reacceptanceKey(brokerId!), scope: 'active' },
})
export class ReacceptanceHandler implements JobHandler<Record<string, never>> {
  constructor(private readonly writer: TenantWriter) {}

  parse(): Record<string, never> {
    return {};
  }

  async handle(_payload: Record<string, never>, ctx: JobContext): Promise<void> {
    if (ctx.brokerId === null) throw new Error('The job names no broker');
    await this.writer.markReacceptance(ctx.brokerId, (done, total) => ctx.progress(done, total));
  }
}
