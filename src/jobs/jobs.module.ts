import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue.service';
import { JobRegistry } from './job-registry';
import { JobWorker } from './job-worker.service';
import { RecurringJobs } from './recurring-jobs.service';

@Global()
@Module({
  providers: [JobQueue, JobRegistry, JobWorker, RecurringJobs],
  exports: [JobQueue, JobRegistry, JobWorker, RecurringJobs],
})
export class JobsModule {}
