import { Controller, Get, HttpException, HttpStatus, NotFoundException, Param, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { cspWith, originOf } from '../common/content-security-policy';
import { Public } from '../common/decorators';
import { RateLimits, type RateLimit } from '../rate-limits/rate-limits.service';
import { AGREEMENT_PAGE_PATH } from './acceptance-links';
import { agreementPageView } from './agreement-page-text';
import { AttestationsService } from './attestations.service';

const VIEW = 'acceptance/agreement';
// A public page: enough for a signatory who reloads, not for a script trying links.
const PAGE_LIMIT = { bucket: 'agreement-page:ip', limit: 60, windowSeconds: 60 } as const;

// The link the customer's signatory opens, on any device and without an account: a page of this app that shows
// Microsoft's embeddable acceptance component for this attestation (the sandbox's in sandbox mode), framed here
// as Microsoft describes it. The Content-Security-Policy lets in that component's origin, on this page only.
@Controller(AGREEMENT_PAGE_PATH.slice(1))
@Public()
export class AgreementPageController {
  constructor(
    private readonly attestations: AttestationsService,
    private readonly limits: RateLimits,
  ) {}

  @Get(':id')
  @Render(VIEW)
  async page(@Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const rule: RateLimit = { ...PAGE_LIMIT, subject: req.ip ?? 'unknown' };
    const wait = await this.limits.retryAfterSeconds(rule);
    if (wait !== null) {
      res.set('Retry-After', String(wait));
      throw new HttpException(
        `Too many requests from your network: try again in ${wait} seconds.`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    await this.limits.hit([rule]);
    const found = await this.attestations.forAgreementPage(id);
    if (!found) throw new NotFoundException('This agreement link is not valid. Ask your partner for a new one.');
    const component = found.attestation.state === 'awaiting_acceptance' ? found.attestation.componentUrl : null;
    const origin = component ? originOf(component) : null;
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    if (origin) res.set('Content-Security-Policy', cspWith({ frameSrc: [origin] }));
    return { layout: 'layouts/public', ...agreementPageView(found, origin ? component : null) };
  }
}
