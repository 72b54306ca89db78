import { Controller, Get, Post, Query, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser, Roles } from '../auth/decorators';
import { Clock } from '../common/clock';
import { ConflictError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { isHtmxRequest } from '../common/htmx';
import { PathId } from '../common/ids';
import type { CurrentUser as SignedInUser } from '../common/request-context';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { NAMED_JOB_KINDS, jobKindName } from './job-kinds';
import { JobList } from './job-list.service';
import { JOBS_PATH, parseJobQuery } from './job-list.query';
import { JobQueue } from './job-queue.service';
import { JobRegistry } from './job-registry';
import { jobsView } from './jobs-view';

// "Background work": the broker's jobs (and the app's own) for its admins, finished ones too, filtered by state and
// kind. One URL for the page and for the list htmx swaps in; the newest page polls itself while something runs.
@Controller(JOBS_PATH)
@Roles('admin')
export class JobsAdminController {
  private readonly retentionDays: number;

  constructor(
    private readonly queue: JobQueue,
    private readonly list: JobList,
    private readonly registry: JobRegistry,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.retentionDays = config.jobs.retentionDays;
  }

  @Get()
  @Render('jobs/index')
  async page(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentUser() me: SignedInUser,
    @Query() query: Record<string, unknown>,
  ) {
    const kinds = [...new Set([...NAMED_JOB_KINDS, ...this.registry.types()])];
    const { filters, cursor, errors } = parseJobQuery(query, kinds);
    const refused = Object.keys(errors).length > 0;
    if (refused) res.status(422);
    const [page, live] = await Promise.all([
      refused ? { jobs: [], newerThan: null, olderThan: null } : this.list.page(me.brokerId, filters, cursor),
      this.list.live(me.brokerId),
    ]);
    const atNewest = cursor.before === undefined && cursor.after === undefined;
    const fragment = isHtmxRequest(req);
    return {
      ...jobsView(page, filters, errors, kinds, live, atNewest, this.retentionDays, this.clock.now()),
      fragment,
      layout: fragment ? false : undefined,
    };
  }

  @Post(':id/retry')
  @Redirect(JOBS_PATH, 303)
  async retry(@Req() req: Request, @CurrentUser() me: SignedInUser, @PathId('id') id: number) {
    try {
      const job = await this.queue.retry(id, me.brokerId);
      if (job) flash(req, 'success', `Job ${job.id} (${jobKindName(job.type)}) will run again.`);
      else flash(req, 'error', `Job ${id} is not a failed job of yours: nothing to retry.`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, 'error', `Job ${id} was not run again: ${error.message}.`);
    }
  }
}
