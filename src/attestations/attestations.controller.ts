import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Post,
  Query,
  Render,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { CurrentUser, Roles, type SignedInUser } from '../auth/decorators';
import { Clock } from '../common/clock';
import { FormView } from '../common/decorators';
import { NotFoundInBrokerError, ValidationFailedError } from '../common/domain-errors';
import { flash } from '../common/flash';
import type { FormViewData, FormViewResolver } from '../common/form-view.interceptor';
import { isHtmxRequest } from '../common/htmx';
import { formId, PathId, parseId } from '../common/ids';
import { RedirectException } from '../common/redirect.exception';
import { PartnerCenterError } from '../partner-center/partner-center.types';
import { isOpen } from './attestation-state';
import {
  ATTESTATION_TRAIL,
  attestationRecord,
  attestationView,
  belowAttestationTrail,
  recordPageView,
} from './attestation-view';
import type { TenantSummary } from '../tenants/tenants.repository';
import { AttestationsService, creatorOf } from './attestations.service';
import { AttestationPages } from './attestation-pages';
import { AuditTrail } from '../audit/audit-trail.service';
import type { Attestation } from './attestation.record';
import { AttestationActionForm, AttestationForm } from './dto/attestation-form.dto';

const CHANGERS = ['admin', 'operator'] as const;

// A refused create shows its form again; a refused action shows the attestation as it is now. The bodies are never
// refused before the handler runs (their fields are checked once the tenant is known), so the tenant exists.
const refusedForm: FormViewResolver<AttestationsController> = (req, error, controller) =>
  controller.formShownAgain(req, error);
const refusedAction: FormViewResolver<AttestationsController> = (req, _error, controller) =>
  controller.attestationShownAgain(req);

// The three steps of an attestation for one tenant: the create form (a modal with JavaScript, a page without), the
// attestation's page with its actions, and its record. Viewers see; operators and admins act.
@Controller('tenants/:tenantId')
export class AttestationsController {
  constructor(
    private readonly attestations: AttestationsService,
    private readonly pages: AttestationPages,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  @Get('attestations/new')
  @Roles(...CHANGERS)
  @Render('attestations/new')
  async newForm(@Req() req: Request, @PathId('tenantId') tenantId: number, @Query('from') from?: string) {
    const tenant = await this.attestations.tenant(tenantId);
    const latest = await this.attestations.latestFor(tenant.id);
    if (latest && isOpen(latest.state)) return this.pages.pending(req, tenant, latest);
    // After a link expired, "Create a new link" from anywhere starts from its details.
    const source = from
      ? await this.attestations.ofTenant(tenant.id, parseId(from) ?? 0)
      : latest?.state === 'expired'
        ? latest
        : null;
    return this.pages.form(req, tenant, await this.pages.initialValues(tenant, source), randomUUID());
  }

  @Post('attestations')
  @HttpCode(HttpStatus.OK)
  @Roles(...CHANGERS)
  @FormView('attestations/new', refusedForm)
  @Render('attestations/new')
  async create(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @PathId('tenantId') tenantId: number,
    @Body() form: AttestationForm,
    @CurrentUser() user: SignedInUser,
  ) {
    const tenant = await this.attestations.tenant(tenantId);
    const attestation = await this.attestations.create(tenant.id, form, creatorOf(user));
    if (!isHtmxRequest(req)) {
      flash(req, 'success', `Agreement link generated for ${tenant.name}.`);
      throw new RedirectException(`/tenants/${tenant.id}/attestation`);
    }
    res.set('HX-Trigger', 'attestation-created');
    return this.pages.created(req, tenant, attestation);
  }

  @Get('attestation')
  @Render('attestations/view')
  async view(@PathId('tenantId') tenantId: number, @CurrentUser() user: SignedInUser) {
    const tenant = await this.attestations.tenant(tenantId);
    let attestation = await this.attestations.latestFor(tenant.id);
    if (!attestation) throw new NotFoundInBrokerError('An attestation');
    let checkError: string | null = null;
    // Opening the page is a reason to ask Partner Center at once rather than wait for the next poll.
    if (attestation.state === 'awaiting_acceptance') {
      attestation = await this.attestations.check(attestation).catch((error: unknown) => {
        checkError = error instanceof PartnerCenterError ? error.message : 'Partner Center could not be reached.';
        return attestation as NonNullable<typeof attestation>;
      });
    }
    return { ...(await this.pageOf(tenant, attestation, user)), checkError };
  }

  // "View agreement" in the row menu: the customer's acceptance link, in a new tab.
  @Get('attestation/agreement')
  async agreement(@PathId('tenantId') tenantId: number) {
    const attestation = await this.attestations.latestFor((await this.attestations.tenant(tenantId)).id);
    if (!attestation) throw new NotFoundException('This tenant has no attestation, so there is no agreement link yet.');
    throw new RedirectException(attestation.link);
  }

  @Get('attestation/finalize')
  @Roles(...CHANGERS)
  @Render('attestations/finalize')
  async finalizeForm(@PathId('tenantId') tenantId: number, @CurrentUser() user: SignedInUser) {
    const { tenant, attestation } = await this.latestOf(tenantId);
    return {
      title: `Finalize the attestation for ${tenant.name}`,
      breadcrumbs: belowAttestationTrail(tenant),
      ...attestationView(tenant, attestation, [], user.role),
    };
  }

  @Post('attestation/finalize')
  @Roles(...CHANGERS)
  @FormView('attestations/view', refusedAction)
  async finalize(
    @Req() req: Request,
    @PathId('tenantId') tenantId: number,
    @Body() form: AttestationActionForm,
    @CurrentUser() user: SignedInUser,
  ) {
    await this.act(
      { req, tenantId, form, user },
      (t, a) => this.attestations.requestFinalize(t, a),
      'Finalizing: Partner Center is creating the customer agreement.',
    );
  }

  @Post('attestation/retry')
  @Roles(...CHANGERS)
  @FormView('attestations/view', refusedAction)
  async retry(
    @Req() req: Request,
    @PathId('tenantId') tenantId: number,
    @Body() form: AttestationActionForm,
    @CurrentUser() user: SignedInUser,
  ) {
    await this.act({ req, tenantId, form, user }, (t, a) => this.attestations.retryFinalize(t, a), 'Finalizing again.');
  }

  // The confirmation, as a page without JavaScript (the attestation's page opens the same in a dialog).
  @Get('attestation/cancel')
  @Roles(...CHANGERS)
  @Render('attestations/cancel')
  async cancelPage(@PathId('tenantId') tenantId: number, @CurrentUser() user: SignedInUser) {
    const { tenant, attestation } = await this.latestOf(tenantId);
    if (!isOpen(attestation.state)) throw new RedirectException(`/tenants/${tenant.id}/attestation`);
    return {
      title: `Cancel the attestation for ${tenant.name}`,
      breadcrumbs: belowAttestationTrail(tenant),
      ...attestationView(tenant, attestation, [], user.role),
    };
  }

  @Post('attestation/cancel')
  @Roles(...CHANGERS)
  @FormView('attestations/view', refusedAction)
  async cancel(
    @Req() req: Request,
    @PathId('tenantId') tenantId: number,
    @Body() form: AttestationActionForm,
    @CurrentUser() user: SignedInUser,
  ) {
    await this.act({ req, tenantId, form, user }, (t, a) => this.attestations.cancel(t, a), 'Attestation cancelled.');
  }

  @Get('attestation/record')
  @Render('attestations/record')
  async record(@PathId('tenantId') tenantId: number, @CurrentUser() user: SignedInUser) {
    const { tenant, record } = await this.recordOf(tenantId, user);
    return { ...recordPageView(record), breadcrumbs: belowAttestationTrail(tenant) };
  }

  @Get('attestation/record.json')
  async recordJson(
    @PathId('tenantId') tenantId: number,
    @CurrentUser() user: SignedInUser,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { record } = await this.recordOf(tenantId, user);
    res.type('application/json');
    res.set('Content-Disposition', `attachment; filename="attestation-${record.attestation.id}-record.json"`);
    return JSON.stringify(record, null, 2);
  }

  // The tenant of the path and its latest attestation; a tenant without one is not found.
  // The create form of the path's tenant again; an expired or altered token is replaced, so that it can be sent.
  async formShownAgain(req: Request, error: unknown): Promise<FormViewData> {
    const tenant = await this.attestations.tenant(parseId(req.params.tenantId) ?? 0);
    const sent = (req.body as { requestToken?: unknown } | undefined)?.requestToken;
    const fresh = error instanceof ValidationFailedError && error.fields.requestToken;
    return this.pages.form(req, tenant, {}, fresh || typeof sent !== 'string' ? randomUUID() : sent);
  }

  // The path's tenant's attestation as it is now, for an action it refused.
  async attestationShownAgain(req: Request): Promise<FormViewData> {
    const { tenant, attestation } = await this.latestOf(parseId(req.params.tenantId) ?? 0);
    return this.pageOf(tenant, attestation, req.user as SignedInUser);
  }

  private async latestOf(tenantId: number) {
    const tenant = await this.attestations.tenant(tenantId);
    const attestation = await this.attestations.latestFor(tenant.id);
    if (!attestation) throw new NotFoundInBrokerError('An attestation');
    return { tenant, attestation };
  }

  // The partner named is the signed-in user's organisation, the one latestOf finds the tenant in.
  private async recordOf(tenantId: number, user: SignedInUser) {
    const { tenant, attestation } = await this.latestOf(tenantId);
    const events = await this.audit.forSubject('attestation', attestation.id);
    return { tenant, record: attestationRecord(user.brokerName, tenant, attestation, events, this.clock.now()) };
  }

  // The attestation's page as it is now, with its history.
  private async pageOf(tenant: TenantSummary, attestation: Attestation, user: SignedInUser) {
    const events = await this.audit.forSubject('attestation', attestation.id);
    return {
      title: `Attestation for ${tenant.name}`,
      breadcrumbs: ATTESTATION_TRAIL,
      ...attestationView(tenant, attestation, events, user.role),
    };
  }

  // A change on the attestation the person saw (its id is in the form): anything else is not found. When the
  // attestation moved on first (another tab, another user, the link expired), the page shows it as it is now, with
  // what could not be done and why.
  private async act(
    request: { req: Request; tenantId: number; form: AttestationActionForm; user: SignedInUser },
    change: (tenantId: number, attestationId: number) => Promise<unknown>,
    done: string,
  ): Promise<void> {
    const { req, form } = request;
    const { tenant } = await this.latestOf(request.tenantId);
    await change(tenant.id, formId({ ...form }, 'attestationId'));
    flash(req, 'success', done);
    throw new RedirectException(`/tenants/${tenant.id}/attestation`);
  }
}
