import {
  Body,
  Controller,
  Get,
  NotFoundException,
  Post,
  Query,
  Redirect,
  Render,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { PathId } from '../common/ids';
import type { Request, Response } from 'express';
import { CurrentUser, type SignedInUser } from '../auth/decorators';
import { NotFoundInBrokerError, ValidationFailedError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { FormErrorsException } from '../common/form-errors.exception';
import { isHtmxRequest } from '../common/htmx';
import { CONTENT_TYPES, reportFileName } from './report-files';
import { tooManyAttempts } from '../rate-limits/too-many-attempts';
import { ReportRequestsService, TooManyReportsError } from './report-requests.service';
import { BELOW_REPORTS_TRAIL, formView, recentView, REPORTS_TITLE, REPORTS_TRAIL } from './report-view';

// The "Generate MCA report" form with the user's recent reports: a page of its own, and the same panel in the MCA
// page's dialog (htmx). Domain errors are mapped here until the shared filter maps them.
@Controller('reports')
export class ReportsController {
  constructor(private readonly requests: ReportRequestsService) {}

  @Get()
  @Render('reports/index')
  async page(@Req() req: Request, @CurrentUser() user: SignedInUser, @Query() query: Record<string, unknown>) {
    const fragment = isHtmxRequest(req);
    return {
      title: REPORTS_TITLE,
      breadcrumbs: REPORTS_TRAIL,
      form: formView(user.email, query, await this.requests.recipientPolicy(user)),
      recent: recentView(await this.requests.recent(user)),
      fragment,
      layout: fragment ? false : undefined,
    };
  }

  @Post()
  @Redirect('/reports', 303)
  async request(@Req() req: Request, @CurrentUser() user: SignedInUser, @Body() body: Record<string, unknown>) {
    try {
      const request = await this.requests.request(user, body);
      flash(req, 'success', `We will email the report to ${request.email} when it is ready.`);
    } catch (error) {
      if (!(error instanceof ValidationFailedError) && !(error instanceof TooManyReportsError)) throw error;
      const viewData = {
        title: REPORTS_TITLE,
        breadcrumbs: REPORTS_TRAIL,
        form: formView(user.email, body, await this.requests.recipientPolicy(user)),
        recent: recentView(await this.requests.recent(user)),
        fragment: isHtmxRequest(req),
      };
      if (error instanceof TooManyReportsError)
        throw tooManyAttempts(req, error.retryAfterSeconds, { form: error.message }, 'reports/index', viewData);
      throw new FormErrorsException(error.fields, { view: 'reports/index', viewData });
    }
  }

  // Polled by htmx while a report is queued or running; without JavaScript, a page of its own.
  @Get('recent')
  @Render('reports/recent')
  async recent(@Req() req: Request, @CurrentUser() user: SignedInUser) {
    const fragment = isHtmxRequest(req);
    return {
      title: 'Recent reports',
      breadcrumbs: BELOW_REPORTS_TRAIL,
      recent: recentView(await this.requests.recent(user)),
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
    try {
      const { request, content } = await this.requests.downloadable(user, id);
      res.set('Cache-Control', 'private, no-store');
      return new StreamableFile(content, {
        type: CONTENT_TYPES[request.format],
        disposition: `attachment; filename="${reportFileName(request.createdAt, request.format)}"`,
        length: request.fileSize ?? undefined,
      });
    } catch (error) {
      if (error instanceof NotFoundInBrokerError)
        throw new NotFoundException('That report does not exist, is not yours, or is older than 7 days.');
      throw error;
    }
  }
}
