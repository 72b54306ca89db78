import { Global, Module, OnModuleInit } from '@nestjs/common';
import { JobList } from './job-list.service';
import { JobMetrics } from './job-metrics';
import { JobPruneHandler } from './job-prune.handler';
import { JobQueue } from './job-queue.service';
import { JobRegistry } from './job-registry';
import { JobWorker } from './job-worker.service';
import { JobsAdminController } from './jobs-admin.controller';
import { RecurringJobs } from './recurring-jobs.service';

@Global()
@Module({
  controllers: [JobsAdminController],
  providers: [JobQueue, JobRegistry, JobWorker, RecurringJobs, JobPruneHandler, JobList, JobMetrics],
  exports: [JobQueue, JobRegistry, JobWorker, RecurringJobs],
})
export class JobsModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly prune: JobPruneHandler,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.prune);
  }
}
