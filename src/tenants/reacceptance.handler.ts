import { Injectable } from '@nestjs/common';
import type { JobContext, JobHandler } from '../jobs/job-handler';
import { REACCEPTANCE_JOB } from './acceptance-policy';
import { TenantWriter } from './tenant-writer';

// After the broker's "require acceptance on or after" date changed: its tenants marked again, in batches.
@Injectable()
export class ReacceptanceHandler implements JobHandler<Record<string, never>> {
  readonly type = REACCEPTANCE_JOB;

  constructor(private readonly writer: TenantWriter) {}

  parse(): Record<string, never> {
    return {};
  }

  async handle(_payload: Record<string, never>, ctx: JobContext): Promise<void> {
    if (ctx.brokerId === null) throw new Error('The job names no broker');
    await this.writer.markReacceptance(ctx.brokerId, (done, total) => ctx.progress(done, total));
  }
}
