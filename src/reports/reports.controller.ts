import { Body, Controller, Get, Post, Query, Redirect, Render, Req, Res, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser, type SignedInUser } from '../auth/decorators';
import { Clock } from '../common/clock';
import { FormView } from '../common/decorators';
import { flash } from '../common/flash';
import { isHtmxRequest } from '../common/htmx';
import { PathId } from '../common/ids';
import { ReportRequestDto } from './dto/report-forms.dto';
import { CONTENT_TYPES, reportFileName } from './report-files';
import { ReportRequestsService } from './report-requests.service';
import { BELOW_REPORTS_TRAIL, formView, recentView, REPORTS_TITLE, REPORTS_TRAIL } from './report-view';

// The "Generate MCA report" form with the user's recent reports: a page of its own, and the same panel in the MCA
// page's dialog (htmx).
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly requests: ReportRequestsService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('reports/index')
  async page(@Req() req: Request, @CurrentUser() user: SignedInUser, @Query() query: Record<string, unknown>) {
    const fragment = isHtmxRequest(req);
    return { ...(await this.pageData(req, user, query)), layout: fragment ? false : undefined };
  }

  // A refused request (a field, or the user's limit) shows the form again with what was typed.
  @Post()
  @FormView('reports/index', (req, _error, controller: ReportsController) =>
    controller.pageData(req, req.user as SignedInUser, req.body as Record<string, unknown>),
  )
  @Redirect('/reports', 303)
  async request(@Req() req: Request, @CurrentUser() user: SignedInUser, @Body() body: ReportRequestDto) {
    const request = await this.requests.request(user, body);
    flash(req, 'success', `We will email the report to ${request.email} when it is ready.`);
  }

  // Polled by htmx while a report is queued or running; without JavaScript, a page of its own.
  @Get('recent')
  @Render('reports/recent')
  async recent(@Req() req: Request, @CurrentUser() user: SignedInUser) {
    const fragment = isHtmxRequest(req);
    return {
      title: 'Recent reports',
      breadcrumbs: BELOW_REPORTS_TRAIL,
      recent: await this.recentOf(user),
      fragment,
      layout: fragment ? false : undefined,
    };
  }

  @Get(':id/download')
  async download(
    @CurrentUser() user: SignedInUser,
    @PathId('id') id: number,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const { request, content } = await this.requests.downloadable(user, id);
    res.set('Cache-Control', 'private, no-store');
    return new StreamableFile(content, {
      type: CONTENT_TYPES[request.format],
      disposition: `attachment; filename="${reportFileName(request.createdAt, request.format)}"`,
      length: request.fileSize ?? undefined,
    });
  }

  private async recentOf(user: SignedInUser) {
    const now = this.clock.now();
    return recentView(await this.requests.recent(user, now), now);
  }

  // The form (from the MCA page's link, or what was sent back) and the user's recent reports.
  async pageData(req: Request, user: SignedInUser, source: Record<string, unknown>) {
    return {
      title: REPORTS_TITLE,
      breadcrumbs: REPORTS_TRAIL,
      form: formView(user.email, source, await this.requests.recipientPolicy(user)),
      recent: await this.recentOf(user),
      fragment: isHtmxRequest(req),
    };
  }
}
