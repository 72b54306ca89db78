import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue.service';
import { JobRegistry } from './job-registry';
import { JobWorker } from './job-worker.service';
import { JobsAdminController } from './jobs-admin.controller';
import { RecurringJobs } from './recurring-jobs.service';

@Global()
@Module({
  controllers: [JobsAdminController],
  providers: [JobQueue, JobRegistry, JobWorker, RecurringJobs],
  exports: [JobQueue, JobRegistry, JobWorker, RecurringJobs],
})
export class JobsModule {}
