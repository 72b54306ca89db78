import { Injectable } from '@nestjs/common';
import { keysetPage } from '../common/keyset-page';
import { JOB_PAGE_SIZE, type JobCursor, type JobFilters } from './job-list.query';
import { JobsRepository, type JobView, type LiveJobCounts } from './jobs.repository';

export type { LiveJobCounts } from './jobs.repository';

export interface JobPage {
  jobs: JobView[];
  newerThan: number | null; // the cursor for newer jobs, when there are some
  olderThan: number | null; // the cursor for older jobs, when there are some
}

// Background work's list: every job still kept (finished ones until JOB_RETENTION_DAYS after they ended), a page
// at a time.
@Injectable()
export class JobList {
  constructor(private readonly jobs: JobsRepository) {}

  async page(brokerId: number, filters: JobFilters, cursor: JobCursor, size = JOB_PAGE_SIZE): Promise<JobPage> {
    const { rows, newerThan, olderThan } = await keysetPage(cursor, size, (bound, limit) =>
      this.jobs.list(brokerId, filters, bound, limit),
    );
    return { jobs: rows, newerThan, olderThan };
  }

  live(brokerId: number): Promise<LiveJobCounts> {
    return this.jobs.live(brokerId);
  }
}
