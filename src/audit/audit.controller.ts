import { Controller, Get, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles } from '../common/decorators';
import { isHtmxRequest } from '../common/htmx';
import { AUDIT_PATH, parseAuditQuery } from './audit-log.query';
import { AuditLogService } from './audit-log.service';
import { auditView } from './audit-view';

// The audit trail of the admin's broker. One URL for the page and for its results, which htmx swaps in.
@Controller(AUDIT_PATH)
@Roles('admin')
export class AuditController {
  constructor(private readonly log: AuditLogService) {}

  @Get()
  @Render('audit/index')
  async page(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Query() query: Record<string, unknown>) {
    const { filters, cursor, errors } = parseAuditQuery(query);
    const refused = Object.keys(errors).length > 0;
    if (refused) res.status(422);
    const page = refused ? { events: [], newerThan: null, olderThan: null } : await this.log.page(filters, cursor);
    const fragment = isHtmxRequest(req);
    return { ...auditView(page, filters, errors), refused, fragment, layout: fragment ? false : undefined };
  }
}
