import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobList } from './job-list.service';
import { JobMetrics } from './job-metrics';
import { JobPruneHandler } from './job-prune.handler';
import { JobQueue } from './job-queue.service';
import { JobRegistry } from './job-registry';
import { JobSchedule } from './job-schedule.entity';
import { JobWorker } from './job-worker.service';
import { Job } from './job.entity';
import { JobsAdminController } from './jobs-admin.controller';
import { JobsRepository } from './jobs.repository';
import { RecurringJobs } from './recurring-jobs.service';

@Global()
@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature([Job, JobSchedule])],
  controllers: [JobsAdminController],
  providers: [JobsRepository, JobQueue, JobRegistry, JobWorker, RecurringJobs, JobPruneHandler, JobList, JobMetrics],
  exports: [JobsRepository, JobQueue, JobRegistry, JobWorker, RecurringJobs],
})
export class JobsModule {}
