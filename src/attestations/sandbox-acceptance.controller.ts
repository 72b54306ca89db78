import { Body, Controller, Get, HttpStatus, NotFoundException, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../common/decorators';
import { FormErrorsException } from '../common/form-errors.exception';
import { RedirectException } from '../common/redirect.exception';
import { SqlService } from '../database/sql.service';
import { RateLimits, type RateLimit } from '../rate-limits/rate-limits.service';
import { tooManyAttempts } from '../rate-limits/too-many-attempts';
import {
  PartnerCenterSandboxService,
  SANDBOX_ACCEPTANCE_PATH,
} from '../partner-center/sandbox/partner-center-sandbox.service';
import { MCA_LINK, MCA_TEMPLATE_ID } from '../partner-center/sandbox/sandbox-seed';
import { countryName } from './countries-languages';

const VIEW = 'acceptance/page';
const LAYOUT = 'layouts/sandbox';
// A public form: enough for a signatory who retries, not for a script trying links.
const ACCEPT_LIMIT = { bucket: 'sandbox-accept:ip', limit: 20, windowSeconds: 60 } as const;

// In sandbox mode the sandbox plays Microsoft's acceptance page; the app serves it at its own address so that the
// customer's signatory opens it from any device (a phone, another network through PUBLIC_URL). Public: the link is
// the key. Plain HTML, no script; the form posts back here with a CSRF token bound to the visitor's session.
@Controller(SANDBOX_ACCEPTANCE_PATH.slice(1))
@Public()
export class SandboxAcceptanceController {
  constructor(
    private readonly sandbox: PartnerCenterSandboxService,
    private readonly sql: SqlService,
    private readonly limits: RateLimits,
  ) {}

  @Get(':id')
  @Render(VIEW)
  async page(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    res.set('Cache-Control', 'no-store');
    return this.model(id);
  }

  @Post(':id')
  async accept(@Param('id') id: string, @Body() body: Record<string, unknown>, @Req() req: Request) {
    const rule: RateLimit = { ...ACCEPT_LIMIT, subject: req.ip ?? 'unknown' };
    const wait = await this.limits.retryAfterSeconds(rule);
    const model = await this.model(id);
    if (wait !== null)
      throw tooManyAttempts(req, wait, { authorized: `Too many attempts: try again in ${wait} seconds` }, VIEW);
    await this.limits.hit([rule]);
    if (model.state === 'pending') {
      if (body.authorized !== 'yes')
        throw new FormErrorsException(
          { authorized: `Confirm that you are authorized to accept on behalf of ${model.companyName}` },
          { view: VIEW, viewData: { ...model, layout: LAYOUT } },
        );
      this.sandbox.server.acceptAttestation(model.id);
    }
    throw new RedirectException(`${SANDBOX_ACCEPTANCE_PATH}/${encodeURIComponent(model.id)}`);
  }

  private async model(id: string) {
    const attestation = this.sandbox.running && id.length <= 100 ? this.sandbox.server.attestation(id) : null;
    if (!attestation) throw new NotFoundException('This acceptance link is not valid. Ask your partner for a new one.');
    const [partner] = await this.sql.query<{ name: string; tenant_name: string }>`
      SELECT b.name, t.name AS tenant_name FROM attestations a JOIN brokers b ON b.id = a.broker_id
      JOIN tenants t ON t.id = a.tenant_id WHERE a.pc_attestation_id = ${attestation.id}`;
    return {
      layout: LAYOUT,
      title: 'Microsoft Customer Agreement',
      id: attestation.id,
      state: attestation.status,
      partnerName: partner?.name ?? 'Your Microsoft partner',
      customerName: partner?.tenant_name ?? attestation.companyName,
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
      action: `${SANDBOX_ACCEPTANCE_PATH}/${encodeURIComponent(attestation.id)}`,
      status: HttpStatus.OK,
    };
  }
}
