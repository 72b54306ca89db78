import { Injectable } from '@nestjs/common';
import { JobHandler, type JobContext } from '../jobs/job-handler';
import { BatchRunner } from './batch-runner.service';

export const BATCH_RUN_JOB = 'attestation_batch.run';
// Each Retry-After of Partner Center's is an attempt: a large batch may meet many.
const BATCH_RUN_ATTEMPTS = 100;

interface BatchRunPayload {
  batchId: number;
}

// A running batch's work, enqueued when it is confirmed or resumed. Not unique: the rows are taken one by one by
// conditional updates, so a second job of the same batch (a resume while the first still finishes its rows in
// flight) only shares them.
@Injectable()
@JobHandler<BatchRunPayload>({ type: BATCH_RUN_JOB, attempts: BATCH_RUN_ATTEMPTS })
export class BatchRunHandler implements JobHandler<BatchRunPayload> {
  constructor(private readonly runner: BatchRunner) {}

  parse(payload: unknown): BatchRunPayload {
    const id = (payload as { batchId?: unknown } | null)?.batchId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new Error('The payload names no batch');
    return { batchId: id };
  }

  async handle({ batchId }: BatchRunPayload, ctx: JobContext): Promise<void> {
    if (ctx.brokerId === null) throw new Error('A batch job runs for its broker');
    await this.runner.run(ctx.brokerId, batchId, ctx.signal);
  }
}
