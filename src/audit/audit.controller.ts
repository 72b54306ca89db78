import { Controller, Get, HttpCode, HttpStatus, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser, Roles } from '../auth/decorators';
import { isHtmxRequest } from '../common/htmx';
import { RedirectException } from '../common/redirect.exception';
import type { CurrentUser as SignedInUser } from '../common/request-context';
import { AuditAnchors } from './audit-anchors.service';
import { AUDIT_PATH, parseAuditQuery } from './audit-log.query';
import { AuditLogService } from './audit-log.service';
import { AuditVerification } from './audit-verification.service';
import { auditView, verificationView } from './audit-view';

// The audit trail of the admin's broker. One URL for the page and for its results, which htmx swaps in.
@Controller(AUDIT_PATH)
@Roles('admin')
export class AuditController {
  constructor(
    private readonly log: AuditLogService,
    private readonly verification: AuditVerification,
    private readonly anchors: AuditAnchors,
  ) {}

  @Get()
  @Render('audit/index')
  async page(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentUser() me: SignedInUser,
    @Query() query: Record<string, unknown>,
  ) {
    const { filters, cursor, errors } = parseAuditQuery(query);
    const refused = Object.keys(errors).length > 0;
    if (refused) res.status(422);
    const page = refused ? { events: [], newerThan: null, olderThan: null } : await this.log.page(filters, cursor);
    const fragment = isHtmxRequest(req);
    // A verification's answer is shown once, on the page its POST redirected to.
    const verification = fragment ? undefined : req.session.auditVerification;
    if (verification) delete req.session.auditVerification;
    return {
      ...auditView(page, filters, errors),
      anchor: fragment ? null : await this.anchors.latestFor(me.brokerId),
      verification: verificationView(verification),
      refused,
      fragment,
      layout: fragment ? false : undefined,
    };
  }

  // "Verify the chain": htmx swaps its answer in; without JavaScript the answer waits in the session for the
  // page this redirects to.
  @Post('verify')
  @HttpCode(HttpStatus.OK)
  @Render('audit/verification')
  async verify(@Req() req: Request, @Res({ passthrough: true }) res: Response, @CurrentUser() me: SignedInUser) {
    const verification = await this.verification.run(me.brokerId, me.email);
    if (!isHtmxRequest(req)) {
      req.session.auditVerification = verification;
      throw new RedirectException(AUDIT_PATH);
    }
    if (verification.kind === 'refused') {
      res.status(HttpStatus.TOO_MANY_REQUESTS).set('Retry-After', String(verification.retryAfterSeconds));
    }
    return { verification: verificationView(verification), layout: false };
  }
}
