import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue.service';
import { JobRegistry } from './job-registry';
import { JobWorker } from './job-worker.service';

@Global()
@Module({
  providers: [JobQueue, JobRegistry, JobWorker],
  exports: [JobQueue, JobRegistry, JobWorker],
})
export class JobsModule {}
