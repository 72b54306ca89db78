import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { BrokersRepository } from '../brokers/brokers.repository';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import type { Contact } from '../common/contact';
import { ConflictError, NotFoundInBrokerError, ValidationFailedError } from '../common/domain-errors';
import { currentActor, type CurrentUser } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';
import { PARTNER_CENTER_API } from '../partner-center-settings/partner-center.ports';
import { PartnerCenterSettingsService } from '../partner-center-settings/partner-center-settings.service';
import {
  type CustomerAgreement,
  type EnhancedAttestation,
  type PartnerCenterApi,
  type PartnerCenterCredentials,
} from '../partner-center/partner-center.types';
import { AcceptanceLinks } from './acceptance-links';
import { AttestationClaims } from './attestation-claims';
import { formValuesOf, parseAttestationInput, type AttestationInput } from './attestation-input';
import {
  isOpen,
  tenantAttestationStateFor,
  transition,
  type AttestationEvent,
  type AttestationState,
} from './attestation-state';
import type { Attestation, AttestationChanges } from './attestation.record';
import { AttestationsRepository, type AttestationMilestones, type AttestationSummary } from './attestations.repository';
import type { AttestationForm } from './dto/attestation-form.dto';
import { AttestationMail } from './attestation-mail';
import { AuditTrail, type AuditActor } from '../audit/audit-trail.service';
import { acceptanceEvent } from './customer-acceptance';
import { JobQueue } from '../jobs/job-queue.service';
import { TenantWriter } from '../tenants/tenant-writer';
import { TenantsRepository, type TenantSummary } from '../tenants/tenants.repository';
import { apiPaths, type WebhookEventType } from '../webhooks/webhook-event-types';
import { WebhookEvents } from '../webhooks/webhook-events.service';

export const FINALIZE_JOB = 'attestation.finalize';
export const finalizeKey = (attestationId: number): string => `finalize:${attestationId}`;
export const FINALIZE_MAX_ATTEMPTS = 8;
// A tenant's history names its most recent attestations only: a tenant has a handful over the years.
export const HISTORY_LIMIT = 100;
// How long a second submit of the same form waits for the first to record its attestation.
const CLAIM_WAIT_MS = 15_000;
const CLAIM_POLL_MS = 100;

// Who asks for an attestation: the signed-in user, an API token (no user; its label names it on the record), or a
// batch's creator when the batch's job sends it (no session).
export interface AttestationCreator {
  brokerId: number;
  brokerName: string;
  userId: number | null;
  label: string;
}

export const creatorOf = (user: CurrentUser): AttestationCreator => ({
  brokerId: user.brokerId,
  brokerName: user.brokerName,
  userId: user.id,
  label: `${user.name} (${user.email})`,
});

// Polling schedule of a link by its age: often while the customer is likely to act, then less and less.
export function nextPollDelayMs(createdAt: Date, now: Date): number {
  const age = now.getTime() - createdAt.getTime();
  if (age < 60 * 60_000) return 15_000;
  if (age < 24 * 60 * 60_000) return 5 * 60_000;
  return 30 * 60_000;
}

// A stable MS-RequestId per finalize: Partner Center treats a repeat of it as the same operation.
export function finalizeRequestId(attestation: Pick<Attestation, 'id' | 'pcAttestationId'>): string {
  const hex = createHash('sha256').update(`finalize:${attestation.id}:${attestation.pcAttestationId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// The one service that changes attestations: every change is a checked transition (attestation-state.ts), applied in
// one transaction with the tenant's status, the audit event and whatever mail or job it causes.
@Injectable()
export class AttestationsService {
  constructor(
    private readonly sql: SqlService,
    private readonly scope: BrokerScope,
    @Inject(PARTNER_CENTER_API) private readonly client: PartnerCenterApi,
    private readonly settings: PartnerCenterSettingsService,
    private readonly queue: JobQueue,
    private readonly audit: AuditTrail,
    private readonly writer: TenantWriter,
    private readonly tenants: TenantsRepository,
    private readonly mail: AttestationMail,
    private readonly links: AcceptanceLinks,
    private readonly claims: AttestationClaims,
    private readonly brokers: BrokersRepository,
    private readonly repository: AttestationsRepository,
    private readonly webhooks: WebhookEvents,
    private readonly clock: Clock,
  ) {}

  async tenant(tenantId: number): Promise<TenantSummary> {
    const tenant = await this.tenants.summary(this.scope.brokerId(), tenantId);
    if (!tenant) throw new NotFoundInBrokerError('That tenant');
    return tenant;
  }

  // The tenant's latest attestation (the one its row and its page are about), or null.
  async latestFor(tenantId: number): Promise<Attestation | null> {
    const latest = await this.repository.latestOfTenant(this.scope.brokerId(), tenantId);
    return latest ? this.withComponent(latest) : null;
  }

  // The tenant's attestations, newest first (the most recent HISTORY_LIMIT); another broker's tenant is not found.
  async historyOf(tenantId: number): Promise<AttestationSummary[]> {
    const tenant = await this.tenant(tenantId);
    return this.repository.historyOfTenant(this.scope.brokerId(), tenant.id, HISTORY_LIMIT);
  }

  // A live attestation made before PARTNER_CENTER_COMPONENT_URL was set gets its component once it is.
  private withComponent(attestation: Attestation): Attestation {
    return attestation.componentUrl
      ? attestation
      : {
          ...attestation,
          componentUrl: this.links.liveComponentUrl(attestation.pcAttestationId, attestation.language),
        };
  }

  // An attestation of this tenant in this broker; anything else (a tampered id) is not found.
  async ofTenant(tenantId: number, attestationId: number): Promise<Attestation> {
    const attestation = Number.isSafeInteger(attestationId)
      ? await this.repository.ofTenant(this.scope.brokerId(), tenantId, attestationId)
      : null;
    if (!attestation) throw new NotFoundInBrokerError('That attestation');
    return attestation;
  }

  // What the customer's public agreement page shows, found by Microsoft's attestation id (the link is the key, so
  // no broker is signed in): the attestation, and the names of the partner and the customer.
  async forAgreementPage(
    pcAttestationId: string,
  ): Promise<{ attestation: Attestation; partnerName: string; customerName: string } | null> {
    // Partner Center's ids are printable ASCII: anything else (a NUL, which PostgreSQL refuses to compare) is no link.
    if (!/^[\x21-\x7e]{1,200}$/.test(pcAttestationId)) return null;
    const found = await this.repository.latestByPcAttestationId(pcAttestationId);
    if (!found) return null;
    const attestation = this.withComponent(found);
    const customer = await this.tenants.summary(attestation.brokerId, attestation.tenantId);
    if (!customer) return null;
    return {
      attestation,
      partnerName: (await this.brokers.nameOf(attestation.brokerId)) ?? '',
      customerName: customer.name,
    };
  }

  // An attestation of this broker by its id alone (the API's paths name no tenant); anything else is not found.
  async inBroker(attestationId: number): Promise<Attestation> {
    const attestation = Number.isSafeInteger(attestationId)
      ? await this.repository.inBroker(this.scope.brokerId(), attestationId)
      : null;
    if (!attestation) throw new NotFoundInBrokerError('That attestation');
    return this.withComponent(attestation);
  }

  // A page of the broker's attestations (in one state, or all), newest first, after the id a previous page ended on.
  async page(state: AttestationState | null, beforeId: number | null, limit: number): Promise<Attestation[]> {
    const rows = await this.repository.pageOfBroker(this.scope.brokerId(), state, beforeId, limit);
    return rows.map((attestation) => this.withComponent(attestation));
  }

  // "Create a new link": a new attestation for the same tenant with the details of this one, refused as a create is.
  async renew(attestationId: number, requestToken: string, creator: AttestationCreator): Promise<Attestation> {
    const source = await this.inBroker(attestationId);
    return this.create(source.tenantId, { ...formValuesOf(source), requestToken }, creator);
  }

  // The broker's habit (its latest attestation's country and language), so the form starts where it usually ends.
  brokerDefaults(): Promise<{ country: string; language: string } | null> {
    return this.repository.brokerDefaults(this.scope.brokerId());
  }

  async create(tenantId: number, body: AttestationForm, creator: AttestationCreator): Promise<Attestation> {
    const tenant = await this.tenant(tenantId);
    const { input, errors } = parseAttestationInput(body);
    if (Object.keys(errors).length > 0) throw new ValidationFailedError(errors);
    const replay = await this.byRequestToken(input.requestToken);
    if (replay) return this.sameTenant(replay, tenantId);
    if (tenant.removed)
      throw new ConflictError('This tenant is no longer in Partner Center: it cannot be attested any more.');
    await this.refuseSecondOpen(tenantId);
    // The tenant is claimed before Partner Center is asked: a second submit meanwhile never reaches Microsoft.
    const holder = await this.claims.claim(tenant.id, input.requestToken);
    if (holder === input.requestToken) return this.sameTenant(await this.createdBy(input.requestToken), tenantId);
    if (holder !== null) throw this.beingCreated(tenantId);
    // Another send may have recorded its attestation between the first look and the claim (its claim is released
    // as it records): what it made is a replay's answer, or this tenant's open attestation.
    let recorded: Attestation | null;
    try {
      recorded = await this.byRequestToken(input.requestToken);
      if (!recorded) await this.refuseSecondOpen(tenantId);
    } catch (error) {
      await this.claims.release(tenant.id, input.requestToken);
      throw error;
    }
    if (recorded) {
      await this.claims.release(tenant.id, input.requestToken);
      return this.sameTenant(recorded, tenantId);
    }

    let created: EnhancedAttestation;
    let credentials: PartnerCenterCredentials;
    try {
      credentials = await this.settings.credentialsFor(creator.brokerId);
      // The form's token is the MS-RequestId: a retried call reaches Partner Center as one operation.
      created = await this.client.createEnhancedAttestation(credentials, this.request(input), input.requestToken);
    } catch (error) {
      await this.claims.release(tenant.id, input.requestToken);
      throw error;
    }
    const template = await this.client.getMcaAgreementMetadata(credentials).catch(() => null);
    const componentUrl = this.links.componentUrl(credentials.mode, created, input.language);
    try {
      return await this.sql.transaction(async (tx) => {
        await this.claims.release(tenant.id, input.requestToken, tx);
        const attestation = await this.insert(tx, tenant, input, created, componentUrl, template, creator);
        await this.writer.recordLatestAttestation(tx, tenant.id, tenantAttestationStateFor(attestation.state));
        await this.audit.record(tx, {
          action: 'attestation.created',
          subject: { type: 'attestation', id: attestation.id },
          data: {
            tenantId: tenant.id,
            pcAttestationId: attestation.pcAttestationId,
            signatory: {
              firstName: input.signatoryFirstName,
              lastName: input.signatoryLastName,
              email: input.signatoryEmail,
              phone: input.signatoryPhone,
            },
            companyName: input.companyName,
            country: input.country,
            language: input.language,
            autoFinalize: input.autoFinalize,
            emailLink: input.emailLink,
            link: attestation.link,
            componentUrl: attestation.componentUrl,
            linkExpiresAt: attestation.linkExpiresAt?.toISOString() ?? null,
            templateId: attestation.templateId,
            // Kept although the rest of Microsoft's answer could not be read: the attestation is not orphaned.
            ...(created.unreadable !== undefined ? { answerUnreadable: created.unreadable } : {}),
          },
        });
        await this.webhooks.emit(tx, webhookEvent('attestation.created', attestation));
        if (input.emailLink) return this.emailLink(tx, attestation, creator.brokerName);
        return attestation;
      });
    } catch (error) {
      if (!this.sql.dialect.isUniqueViolation(error)) throw error;
      // A second submit of the same form won the race: show what it made. Otherwise another tab's open attestation.
      const winner = await this.byRequestToken(input.requestToken);
      if (winner) return this.sameTenant(winner, tenantId);
      await this.refuseSecondOpen(tenantId);
      throw error;
    }
  }

  // A batch row whose sender died between claiming the tenant and recording the attestation: its claim is given up,
  // so that the same request (the same token, Partner Center's same MS-RequestId) can be made again.
  abandonClaim(tenantId: number, requestToken: string): Promise<void> {
    return this.claims.release(tenantId, requestToken);
  }

  // The attestations a batch of the broker made, by id (its result file, streamed after the request's handler
  // returned, names its broker rather than reading the request's).
  byIds(brokerId: number, ids: readonly number[]): Promise<Map<number, Attestation>> {
    return this.repository.byIds(brokerId, ids);
  }

  // How far a batch's attestations have come: emailed, accepted (or further), finalized.
  milestones(brokerId: number, ids: readonly number[]): Promise<AttestationMilestones> {
    return this.repository.milestones(brokerId, ids);
  }

  // The attestation a concurrent submit of the same form is making, once it is recorded.
  private async createdBy(requestToken: string): Promise<Attestation> {
    for (let waited = 0; waited < CLAIM_WAIT_MS; waited += CLAIM_POLL_MS) {
      const made = await this.byRequestToken(requestToken);
      if (made) return made;
      await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
    }
    throw new ConflictError(
      'This form was sent twice and the first send has not finished: wait a moment, then reload.',
    );
  }

  private beingCreated(tenantId: number): ConflictError {
    return new ConflictError(
      'An attestation for this tenant is being created from another form right now: view it in a moment.',
      { href: `/tenants/${tenantId}/attestation`, label: 'View the attestation' },
    );
  }

  async cancel(tenantId: number, attestationId: number): Promise<Attestation> {
    await this.ofTenant(tenantId, attestationId);
    return this.apply(attestationId, 'cancel', { cancelledAt: this.clock.now() }, {});
  }

  // A partner's finalize (or auto-finalize on acceptance): the job does the work, once per attestation.
  async requestFinalize(tenantId: number, attestationId: number): Promise<Attestation> {
    await this.ofTenant(tenantId, attestationId);
    return this.apply(attestationId, 'request_finalize', { finalizeRequestedAt: this.clock.now() }, {}, (tx, a) =>
      this.enqueueFinalize(tx, a),
    );
  }

  async retryFinalize(tenantId: number, attestationId: number): Promise<Attestation> {
    await this.ofTenant(tenantId, attestationId);
    return this.apply(attestationId, 'retry', { finalizeRequestedAt: this.clock.now(), lastError: null }, {}, (tx, a) =>
      this.enqueueFinalize(tx, a),
    );
  }

  // Asks Partner Center where an open link stands and records what changed (the poll job, and opening the page).
  async check(attestation: Attestation): Promise<Attestation> {
    if (attestation.state !== 'awaiting_acceptance') return attestation;
    const credentials = await this.settings.credentialsFor(attestation.brokerId);
    let remote: EnhancedAttestation;
    try {
      remote = await this.client.getEnhancedAttestation(credentials, attestation.pcAttestationId);
    } catch (error) {
      const now = this.clock.now();
      await this.repository.touchPoll(
        attestation.id,
        now,
        new Date(now.getTime() + nextPollDelayMs(attestation.createdAt, now)),
      );
      throw error;
    }
    return this.applyRemote(attestation, remote);
  }

  async applyRemote(attestation: Attestation, remote: EnhancedAttestation): Promise<Attestation> {
    const now = this.clock.now();
    const poll = {
      lastPolledAt: now,
      nextPollAt: new Date(now.getTime() + nextPollDelayMs(attestation.createdAt, now)),
    };
    if (remote.status === 'accepted') {
      // The customer accepted; whoever asked now (a user opening the page, the poll job) only observed it.
      const accepted = acceptanceEvent(attestation, remote.acceptedAt, currentActor(), now);
      return this.apply(
        attestation.id,
        'accept',
        { ...poll, acceptedAt: accepted.acceptedAt },
        accepted.data,
        async (tx, a) => {
          await this.mail.acceptedNotice(tx, a);
          if (a.autoFinalize) return this.enqueueFinalize(tx, a, true);
          return a;
        },
        { actor: accepted.actor },
      );
    }
    if (remote.status === 'expired') return this.apply(attestation.id, 'expire', { ...poll, expiredAt: now }, {});
    await this.repository.touchPoll(attestation.id, poll.lastPolledAt, poll.nextPollAt);
    return { ...attestation, ...poll };
  }

  // The finalize job's outcome. Both are no-ops on an attestation that moved on meanwhile (cancelled, finalized).
  async completeFinalize(attestationId: number, agreement: CustomerAgreement | null = null): Promise<Attestation> {
    const changes = { finalizedAt: this.clock.now(), lastError: null, lastErrorKind: null };
    const data = agreement
      ? { agreement: { dateAgreed: agreement.dateAgreed?.toISOString() ?? null, templateId: agreement.templateId } }
      : {};
    return this.apply(
      attestationId,
      'finalize',
      changes,
      data,
      async (tx, a) => {
        await this.mail.finalizedNotice(tx, a);
        return a;
      },
      { agreement },
    );
  }

  async failFinalize(attestationId: number, message: string, kind: string | null = null): Promise<Attestation> {
    return this.apply(
      attestationId,
      'fail',
      { failedAt: this.clock.now(), lastError: message.slice(0, 1000), lastErrorKind: kind },
      { message, ...(kind ? { kind } : {}) },
      async (tx, a) => {
        await this.mail.failedNotice(tx, a);
        return a;
      },
    );
  }

  // Applies one event in one transaction: re-read under lock, checked, written, the tenant and the audit trail kept
  // in step. A refused event changes nothing and says why. The event's actor is the current one unless given.
  private async apply(
    attestationId: number,
    event: AttestationEvent,
    changes: AttestationChanges,
    data: Record<string, unknown>,
    then?: (tx: Tx, attestation: Attestation) => Promise<Attestation>,
    { agreement = null, actor }: { agreement?: CustomerAgreement | null; actor?: AuditActor } = {},
  ): Promise<Attestation> {
    return this.sql.transaction(async (tx) => {
      const before = await this.repository.lock(tx, attestationId);
      if (!before) throw new NotFoundInBrokerError('That attestation');
      // Finalize asked for already (parallel submits, a replay): one request, one job, one audit event.
      if (event === 'request_finalize' && before.state === 'accepted' && before.finalizeRequestedAt) return before;
      // What Partner Center said about a link that moved on meanwhile (another observer saw the acceptance first, the
      // partner cancelled): the first observation stands, with its one audit event.
      if ((event === 'accept' || event === 'expire') && before.state !== 'awaiting_acceptance') return before;
      const result = transition(before.state, event);
      if (!result.allowed) throw new ConflictError(result.reason);
      await this.repository.update(tx, attestationId, result.to, changes);
      const after: Attestation = { ...before, ...changes, state: result.to };
      if (result.to !== before.state && (await this.repository.latestIdOfTenant(tx, after.tenantId)) === after.id) {
        const made =
          after.state === 'finalized'
            ? {
                contact: signatoryOf(after),
                agreedAt: agreement?.dateAgreed ?? after.acceptedAt ?? this.clock.now(),
                templateId: agreement?.templateId ?? after.templateId,
              }
            : undefined;
        await this.writer.recordLatestAttestation(tx, after.tenantId, tenantAttestationStateFor(after.state), made);
      }
      await this.audit.record(tx, {
        action: `attestation.${event === 'request_finalize' ? 'finalize_requested' : PAST[event]}`,
        subject: { type: 'attestation', id: after.id },
        brokerId: after.brokerId,
        actor,
        data: { tenantId: after.tenantId, from: before.state, to: after.state, ...data },
      });
      const webhook = WEBHOOK_EVENTS[event];
      if (webhook) await this.webhooks.emit(tx, webhookEvent(webhook, after));
      return then ? then(tx, after) : after;
    });
  }

  private async enqueueFinalize(tx: Tx, attestation: Attestation, automatic = false): Promise<Attestation> {
    await this.queue.enqueue(
      tx,
      FINALIZE_JOB,
      { attestationId: attestation.id, automatic },
      { brokerId: attestation.brokerId },
    );
    if (automatic && !attestation.finalizeRequestedAt) {
      const now = this.clock.now();
      await this.repository.setFinalizeRequested(tx, attestation.id, now);
      return { ...attestation, finalizeRequestedAt: now };
    }
    return attestation;
  }

  private async emailLink(tx: Tx, attestation: Attestation, partnerName: string): Promise<Attestation> {
    await this.mail.linkToSignatory(tx, attestation, partnerName);
    const now = this.clock.now();
    await this.repository.setEmailed(tx, attestation.id, now);
    await this.audit.record(tx, {
      action: 'attestation.link_emailed',
      subject: { type: 'attestation', id: attestation.id },
      data: { to: attestation.signatoryEmail },
    });
    return { ...attestation, emailedAt: now };
  }

  private byRequestToken(token: string): Promise<Attestation | null> {
    return this.repository.byRequestToken(this.scope.brokerId(), token);
  }

  private sameTenant(attestation: Attestation, tenantId: number): Attestation {
    if (attestation.tenantId !== tenantId) throw new NotFoundInBrokerError('That attestation');
    return attestation;
  }

  private async refuseSecondOpen(tenantId: number): Promise<void> {
    const open = await this.latestFor(tenantId);
    if (open && isOpen(open.state))
      throw new ConflictError(
        'This tenant already has an open attestation: finish or cancel it before creating another.',
        {
          href: `/tenants/${tenantId}/attestation`,
          label: 'View the open attestation',
        },
      );
  }

  private request(input: AttestationInput) {
    return {
      signatoryFirstName: input.signatoryFirstName,
      signatoryLastName: input.signatoryLastName,
      signatoryEmail: input.signatoryEmail,
      ...(input.signatoryPhone ? { signatoryPhoneNumber: input.signatoryPhone } : {}),
      companyName: input.companyName,
      country: input.country,
      language: input.language,
    };
  }

  private insert(
    tx: Tx,
    tenant: TenantSummary,
    input: AttestationInput,
    created: EnhancedAttestation,
    componentUrl: string | null,
    template: { templateId: string; agreementLink: string } | null,
    creator: AttestationCreator,
  ): Promise<Attestation> {
    const now = this.clock.now();
    return this.repository.insert(tx, {
      brokerId: creator.brokerId,
      tenantId: tenant.id,
      pcAttestationId: created.id,
      input,
      link: this.links.customerLink(created.id),
      componentUrl,
      linkExpiresAt: created.expiresAt,
      templateId: template?.templateId ?? null,
      agreementLink: template?.agreementLink ?? null,
      createdByUserId: creator.userId,
      createdByLabel: creator.label,
      createdAt: now,
      nextPollAt: new Date(now.getTime() + nextPollDelayMs(now, now)),
    });
  }

  // Open attestations whose next check is due, across brokers (the poll job), oldest due first.
  due(now: Date, limit: number): Promise<Attestation[]> {
    return this.repository.due(now, limit);
  }

  // Links that expire within a day and were not accepted, not yet reminded (the poll job sends each one reminder).
  async remindDue(now: Date, partnerName: (brokerId: number) => Promise<string>): Promise<number> {
    let sent = 0;
    for (const attestation of await this.repository.toRemind(now, new Date(now.getTime() + 24 * 60 * 60_000)))
      if (await this.remind(attestation, await partnerName(attestation.brokerId), now)) sent += 1;
    return sent;
  }

  // The same one reminder per link, asked for now by the partner for these tenants (the MCA list's selection): sent
  // to the signatories of their emailed links still awaiting acceptance that were not reminded yet.
  async remindTenants(tenantIds: readonly number[]): Promise<{ sent: number; alreadyReminded: number }> {
    const brokerId = this.scope.brokerId();
    const name = (await this.brokers.nameOf(brokerId)) ?? '';
    const now = this.clock.now();
    const result = { sent: 0, alreadyReminded: 0 };
    for (const attestation of await this.repository.awaitingOfTenants(brokerId, tenantIds)) {
      if (await this.remind(attestation, name, now)) result.sent += 1;
      else result.alreadyReminded += 1;
    }
    return result;
  }

  private remind(attestation: Attestation, partnerName: string, now: Date): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      if (!(await this.repository.markReminded(tx, attestation.id, now))) return false;
      await this.mail.reminder(tx, attestation, partnerName);
      await this.audit.record(tx, {
        action: 'attestation.reminded',
        subject: { type: 'attestation', id: attestation.id },
        brokerId: attestation.brokerId,
        data: { to: attestation.signatoryEmail },
      });
      return true;
    });
  }
}

// The attestation's signatory as Partner Center's Contact.
export const signatoryOf = (attestation: Attestation): Contact => ({
  firstName: attestation.signatoryFirstName,
  lastName: attestation.signatoryLastName,
  email: attestation.signatoryEmail,
  ...(attestation.signatoryPhone ? { phoneNumber: attestation.signatoryPhone } : {}),
});

// The attestation events partners' endpoints hear of, and what each says.
const WEBHOOK_EVENTS: Partial<Record<AttestationEvent, WebhookEventType>> = {
  accept: 'attestation.accepted',
  finalize: 'attestation.finalized',
  fail: 'attestation.failed',
  expire: 'attestation.link_expired',
};

const webhookEvent = (type: WebhookEventType, a: Attestation) => ({
  brokerId: a.brokerId,
  type,
  data: {
    id: a.id,
    tenantId: a.tenantId,
    state: a.state,
    pcAttestationId: a.pcAttestationId,
    linkExpiresAt: a.linkExpiresAt?.toISOString() ?? null,
    ...(a.lastError ? { error: a.lastError } : {}),
    url: apiPaths.attestation(a.id),
    tenantUrl: apiPaths.tenant(a.tenantId),
  },
});

const PAST: Record<Exclude<AttestationEvent, 'request_finalize'>, string> = {
  accept: 'accepted',
  expire: 'expired',
  cancel: 'cancelled',
  retry: 'finalize_retried',
  finalize: 'finalized',
  fail: 'finalize_failed',
};
