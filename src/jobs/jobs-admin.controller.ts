import { Controller, Get, Param, ParseIntPipe, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, Roles } from '../common/decorators';
import { ConflictError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { isHtmxRequest } from '../common/htmx';
import type { CurrentUser as SignedInUser } from '../common/request-context';
import { JobQueue } from './job-queue.service';

// "Background work": the broker's jobs for its admins. The list polls itself while something runs or waits.
@Controller('admin/jobs')
@Roles('admin')
export class JobsAdminController {
  constructor(private readonly queue: JobQueue) {}

  @Get()
  @Render('jobs/index')
  async list(@Req() req: Request, @CurrentUser() me: SignedInUser) {
    const jobs = await this.queue.overview(me.brokerId);
    const fragment = isHtmxRequest(req);
    return {
      title: 'Background work',
      jobs,
      busy: jobs.running.length + jobs.queued.length + jobs.retrying.length > 0,
      empty: Object.values(jobs).every((list) => list.length === 0),
      fragment,
      layout: fragment ? false : undefined,
    };
  }

  @Post(':id/retry')
  @Redirect('/admin/jobs', 303)
  async retry(@Req() req: Request, @CurrentUser() me: SignedInUser, @Param('id', ParseIntPipe) id: number) {
    try {
      const job = await this.queue.retry(id, me.brokerId);
      if (job) flash(req, 'success', `Job ${job.id} (${job.type}) will run again.`);
      else flash(req, 'error', `Job ${id} is not a dead job of yours: nothing to retry.`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, 'error', `Job ${id} was not run again: ${error.message}.`);
    }
  }
}
