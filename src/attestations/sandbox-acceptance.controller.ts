import {
  Body,
  Controller,
  Get,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Query,
  Render,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { cspWith } from '../common/content-security-policy';
import { Public } from '../common/decorators';
import { FormErrorsException } from '../common/form-errors.exception';
import { RedirectException } from '../common/redirect.exception';
import { RateLimits, type RateLimit } from '../rate-limits/rate-limits.service';
import { tooManyAttempts } from '../rate-limits/too-many-attempts';
import { SANDBOX_COMPONENT_PATH, sandboxComponentPath } from '../partner-center/sandbox/partner-center-sandbox';
import { PartnerCenterSandboxService } from '../partner-center/sandbox/partner-center-sandbox.service';
import { MCA_LINK, MCA_TEMPLATE_ID } from '../partner-center/sandbox/sandbox-seed';
import { AttestationsService } from './attestations.service';
import { countryName } from './countries-languages';
import { SandboxAcceptanceForm } from './dto/sandbox-acceptance-form.dto';

const VIEW = 'acceptance/page';
const LAYOUT = 'layouts/sandbox';
// A public form: enough for a signatory who retries, not for a script trying links.
const ACCEPT_LIMIT = { bucket: 'sandbox-accept:ip', limit: 20, windowSeconds: 60 } as const;

const idOf = (value: unknown): string => (typeof value === 'string' ? value : '');

// In sandbox mode the sandbox plays Microsoft's embeddable acceptance component, at the parameterised shape the app
// builds for Microsoft's (?attestationId=…&language=…); the app serves it at its own address so that the customer's
// agreement page (AgreementPageController) frames it on any device (a phone, another network through PUBLIC_URL).
// Public: the link is the key. Plain HTML, no script; framed by this app's pages only; the form posts back here
// with a CSRF token bound to the visitor's session.
@Controller(SANDBOX_COMPONENT_PATH.slice(1))
@Public()
export class SandboxAcceptanceController {
  constructor(
    private readonly sandbox: PartnerCenterSandboxService,
    private readonly attestations: AttestationsService,
    private readonly limits: RateLimits,
  ) {}

  @Get()
  @Render(VIEW)
  async page(@Query('attestationId') id: unknown, @Res({ passthrough: true }) res: Response) {
    res.set('Cache-Control', 'no-store');
    res.set('Content-Security-Policy', cspWith({ frameAncestors: ["'self'"] }));
    res.set('X-Frame-Options', 'SAMEORIGIN');
    return this.model(idOf(id));
  }

  // Links made before the component's parameterised shape (/sandbox/accept/<id>) still open.
  @Get(':id')
  legacy(@Param('id') id: string) {
    throw new RedirectException(sandboxComponentPath(id));
  }

  @Post()
  async accept(
    @Query('attestationId') rawId: unknown,
    @Body() form: SandboxAcceptanceForm,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    res.set('Content-Security-Policy', cspWith({ frameAncestors: ["'self'"] }));
    res.set('X-Frame-Options', 'SAMEORIGIN');
    const rule: RateLimit = { ...ACCEPT_LIMIT, subject: req.ip ?? 'unknown' };
    const wait = await this.limits.retryAfterSeconds(rule);
    const model = await this.model(idOf(rawId));
    if (wait !== null)
      throw tooManyAttempts(req, wait, { authorized: `Too many attempts: try again in ${wait} seconds` }, VIEW);
    await this.limits.hit([rule]);
    if (model.state === 'pending') {
      if (form.authorized !== 'yes')
        throw new FormErrorsException(
          { authorized: `Confirm that you are authorized to accept on behalf of ${model.companyName}` },
          { view: VIEW, viewData: { ...model, layout: LAYOUT } },
        );
      this.sandbox.server.acceptAttestation(model.id);
    }
    throw new RedirectException(sandboxComponentPath(model.id));
  }

  private async model(id: string) {
    const attestation = this.sandbox.running && id.length <= 100 ? this.sandbox.server.attestation(id) : null;
    if (!attestation) throw new NotFoundException('This acceptance link is not valid. Ask your partner for a new one.');
    const found = await this.attestations.forAgreementPage(attestation.id);
    return {
      layout: LAYOUT,
      title: 'Microsoft Customer Agreement',
      id: attestation.id,
      state: attestation.status,
      partnerName: found?.partnerName ?? 'Your Microsoft partner',
      customerName: found?.customerName ?? attestation.companyName,
      companyName: attestation.companyName,
      signatory: {
        name: `${attestation.signatoryFirstName} ${attestation.signatoryLastName}`,
        email: attestation.signatoryEmail,
        phone: attestation.signatoryPhoneNumber,
        country: countryName(attestation.country),
      },
      templateId: MCA_TEMPLATE_ID,
      documentLink: MCA_LINK,
      expiresAt: attestation.expiresAt,
      acceptedAt: attestation.acceptedAt,
      action: sandboxComponentPath(attestation.id),
      status: HttpStatus.OK,
    };
  }
}
