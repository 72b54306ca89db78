import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { BrokerScope } from '../common/broker-scope.service';
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
import type { TenantStatus } from '../tenants/tenant-status';
import { parseAttestationInput, type AttestationInput } from './attestation-input';
import { isOpen, tenantAttestationStateFor, transition, type AttestationEvent } from './attestation-state';
import { columnOf, toAttestation, type Attestation, type AttestationChanges } from './attestation.record';
import { AttestationMail } from './attestation-mail';
import { AuditTrail, type AuditActor } from '../audit/audit-trail.service';
import { acceptanceEvent } from './customer-acceptance';
import { JobQueue } from '../jobs/job-queue.service';
import { TenantWriter } from '../tenants/tenant-writer';

export const FINALIZE_JOB = 'attestation.finalize';
export const finalizeKey = (attestationId: number): string => `finalize:${attestationId}`;
export const FINALIZE_MAX_ATTEMPTS = 8;
// How long a second submit of the same form waits for the first to record its attestation.
const CLAIM_WAIT_MS = 15_000;
const CLAIM_POLL_MS = 100;

export interface TenantSummary {
  id: number;
  name: string;
  domain: string;
  microsoftTenantId: string;
  status: TenantStatus;
  removed: boolean;
  reacceptanceNeeded: boolean; // every acceptance is older than the broker requires
}

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

const isUniqueViolation = (error: unknown): boolean => {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '23505' || /UNIQUE constraint failed/.test(String(e?.message ?? ''));
};

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
    private readonly mail: AttestationMail,
    private readonly links: AcceptanceLinks,
    private readonly claims: AttestationClaims,
  ) {}

  async tenant(tenantId: number): Promise<TenantSummary> {
    const brokerId = this.scope.brokerId();
    const [row] = Number.isSafeInteger(tenantId)
      ? await this.sql.query<Record<string, unknown>>`
          SELECT id, name, domain, microsoft_tenant_id, status, removed_at, reacceptance FROM tenants
          WHERE id = ${tenantId} AND broker_id = ${brokerId}`
      : [];
    if (!row) throw new NotFoundInBrokerError('That tenant');
    return {
      id: Number(row.id),
      name: String(row.name),
      domain: String(row.domain),
      microsoftTenantId: String(row.microsoft_tenant_id),
      status: row.status as TenantStatus,
      removed: row.removed_at !== null && row.removed_at !== undefined,
      reacceptanceNeeded: row.reacceptance !== null && row.reacceptance !== undefined,
    };
  }

  // The tenant's latest attestation (the one its row and its page are about), or null.
  async latestFor(tenantId: number): Promise<Attestation | null> {
    const brokerId = this.scope.brokerId();
    const [row] = await this.sql.query<Record<string, unknown>>`
      SELECT * FROM attestations WHERE tenant_id = ${tenantId} AND broker_id = ${brokerId}
      ORDER BY created_at DESC, id DESC LIMIT 1`;
    return row ? this.withComponent(toAttestation(row, this.sql.dialect)) : null;
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
    const brokerId = this.scope.brokerId();
    const [row] = Number.isSafeInteger(attestationId)
      ? await this.sql.query<Record<string, unknown>>`
          SELECT * FROM attestations WHERE id = ${attestationId} AND tenant_id = ${tenantId} AND broker_id = ${brokerId}`
      : [];
    if (!row) throw new NotFoundInBrokerError('That attestation');
    return toAttestation(row, this.sql.dialect);
  }

  // What the customer's public agreement page shows, found by Microsoft's attestation id (the link is the key, so
  // no broker is signed in): the attestation, and the names of the partner and the customer.
  async forAgreementPage(
    pcAttestationId: string,
  ): Promise<{ attestation: Attestation; partnerName: string; customerName: string } | null> {
    // Partner Center's ids are printable ASCII: anything else (a NUL, which PostgreSQL refuses to compare) is no link.
    if (!/^[\x21-\x7e]{1,200}$/.test(pcAttestationId)) return null;
    const [row] = await this.sql.query<Record<string, unknown>>`
      SELECT a.*, b.name AS partner_name, t.name AS customer_name FROM attestations a
      JOIN brokers b ON b.id = a.broker_id JOIN tenants t ON t.id = a.tenant_id
      WHERE a.pc_attestation_id = ${pcAttestationId} ORDER BY a.id DESC LIMIT 1`;
    return row
      ? {
          attestation: this.withComponent(toAttestation(row, this.sql.dialect)),
          partnerName: String(row.partner_name),
          customerName: String(row.customer_name),
        }
      : null;
  }

  // The broker's habit (its latest attestation's country and language), so the form starts where it usually ends.
  async brokerDefaults(): Promise<{ country: string; language: string } | null> {
    const brokerId = this.scope.brokerId();
    const [row] = await this.sql.query<{ country: string; language: string }>`
      SELECT country, language FROM attestations WHERE broker_id = ${brokerId} ORDER BY id DESC LIMIT 1`;
    return row ?? null;
  }

  async create(tenantId: number, body: Record<string, unknown>, user: CurrentUser): Promise<Attestation> {
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

    let created: EnhancedAttestation;
    let credentials: PartnerCenterCredentials;
    try {
      credentials = await this.settings.credentialsFor(user.brokerId);
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
        const attestation = await this.insert(tx, tenant, input, created, componentUrl, template, user);
        await this.writer.setAttestation(tx, tenant.id, tenantAttestationStateFor(attestation.state));
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
        if (input.emailLink) return this.emailLink(tx, attestation, user.brokerName);
        return attestation;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A second submit of the same form won the race: show what it made. Otherwise another tab's open attestation.
      const winner = await this.byRequestToken(input.requestToken);
      if (winner) return this.sameTenant(winner, tenantId);
      await this.refuseSecondOpen(tenantId);
      throw error;
    }
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
    return this.apply(attestationId, 'cancel', { cancelledAt: new Date() }, {});
  }

  // A partner's finalize (or auto-finalize on acceptance): the job does the work, once per attestation.
  async requestFinalize(tenantId: number, attestationId: number): Promise<Attestation> {
    await this.ofTenant(tenantId, attestationId);
    return this.apply(attestationId, 'request_finalize', { finalizeRequestedAt: new Date() }, {}, (tx, a) =>
      this.enqueueFinalize(tx, a),
    );
  }

  async retryFinalize(tenantId: number, attestationId: number): Promise<Attestation> {
    await this.ofTenant(tenantId, attestationId);
    return this.apply(attestationId, 'retry', { finalizeRequestedAt: new Date(), lastError: null }, {}, (tx, a) =>
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
      const now = new Date();
      await this.touchPoll(attestation.id, now, new Date(now.getTime() + nextPollDelayMs(attestation.createdAt, now)));
      throw error;
    }
    return this.applyRemote(attestation, remote);
  }

  async applyRemote(attestation: Attestation, remote: EnhancedAttestation): Promise<Attestation> {
    const now = new Date();
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
    await this.touchPoll(attestation.id, poll.lastPolledAt, poll.nextPollAt);
    return { ...attestation, ...poll };
  }

  // The finalize job's outcome. Both are no-ops on an attestation that moved on meanwhile (cancelled, finalized).
  async completeFinalize(attestationId: number, agreement: CustomerAgreement | null = null): Promise<Attestation> {
    const changes = { finalizedAt: new Date(), lastError: null, lastErrorKind: null };
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
      { failedAt: new Date(), lastError: message.slice(0, 1000), lastErrorKind: kind },
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
      const lock = tx.dialect.name === 'postgres' ? ' FOR UPDATE' : '';
      const [row] = await tx.run<Record<string, unknown>>(
        `SELECT * FROM attestations WHERE id = ${tx.dialect.placeholder(1)}${lock}`,
        [attestationId],
      );
      if (!row) throw new NotFoundInBrokerError('That attestation');
      const before = toAttestation(row, tx.dialect);
      // Finalize asked for already (parallel submits, a replay): one request, one job, one audit event.
      if (event === 'request_finalize' && before.state === 'accepted' && before.finalizeRequestedAt) return before;
      // What Partner Center said about a link that moved on meanwhile (another observer saw the acceptance first, the
      // partner cancelled): the first observation stands, with its one audit event.
      if ((event === 'accept' || event === 'expire') && before.state !== 'awaiting_acceptance') return before;
      const result = transition(before.state, event);
      if (!result.allowed) throw new ConflictError(result.reason);
      const entries = Object.entries(changes);
      const values = entries.map(([, value]) => (value instanceof Date ? tx.dialect.encodeTimestamp(value) : value));
      const sets = [
        `state = ${tx.dialect.placeholder(1)}`,
        ...entries.map(([key], i) => `${columnOf(key)} = ${tx.dialect.placeholder(i + 2)}`),
      ];
      await tx.run(
        `UPDATE attestations SET ${sets.join(', ')} WHERE id = ${tx.dialect.placeholder(entries.length + 2)}`,
        [result.to, ...values, attestationId],
      );
      const after: Attestation = { ...before, ...changes, state: result.to };
      if (result.to !== before.state && (await this.isLatest(tx, after))) {
        const made =
          after.state === 'finalized'
            ? {
                contact: signatoryOf(after),
                agreedAt: agreement?.dateAgreed ?? after.acceptedAt ?? new Date(),
                templateId: agreement?.templateId ?? after.templateId,
              }
            : undefined;
        await this.writer.setAttestation(tx, after.tenantId, tenantAttestationStateFor(after.state), made);
      }
      await this.audit.record(tx, {
        action: `attestation.${event === 'request_finalize' ? 'finalize_requested' : PAST[event]}`,
        subject: { type: 'attestation', id: after.id },
        brokerId: after.brokerId,
        actor,
        data: { tenantId: after.tenantId, from: before.state, to: after.state, ...data },
      });
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
      const now = new Date();
      await tx.query`UPDATE attestations SET finalize_requested_at = ${tx.dialect.encodeTimestamp(now)} WHERE id = ${attestation.id}`;
      return { ...attestation, finalizeRequestedAt: now };
    }
    return attestation;
  }

  private async emailLink(tx: Tx, attestation: Attestation, partnerName: string): Promise<Attestation> {
    await this.mail.linkToSignatory(tx, attestation, partnerName);
    const now = new Date();
    await tx.query`UPDATE attestations SET emailed_at = ${tx.dialect.encodeTimestamp(now)} WHERE id = ${attestation.id}`;
    await this.audit.record(tx, {
      action: 'attestation.link_emailed',
      subject: { type: 'attestation', id: attestation.id },
      data: { to: attestation.signatoryEmail },
    });
    return { ...attestation, emailedAt: now };
  }

  private async isLatest(tx: Tx, attestation: Attestation): Promise<boolean> {
    const [row] = await tx.query<{ id: number }>`
      SELECT id FROM attestations WHERE tenant_id = ${attestation.tenantId} ORDER BY created_at DESC, id DESC LIMIT 1`;
    return Number(row?.id) === attestation.id;
  }

  private async touchPoll(id: number, at: Date, next: Date): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query`UPDATE attestations SET last_polled_at = ${tx.dialect.encodeTimestamp(at)}, next_poll_at = ${tx.dialect.encodeTimestamp(next)} WHERE id = ${id}`;
    });
  }

  private async byRequestToken(token: string): Promise<Attestation | null> {
    const [row] = await this.sql.query<Record<string, unknown>>`
      SELECT * FROM attestations WHERE request_token = ${token} AND broker_id = ${this.scope.brokerId()}`;
    return row ? toAttestation(row, this.sql.dialect) : null;
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

  private async insert(
    tx: Tx,
    tenant: TenantSummary,
    input: AttestationInput,
    created: EnhancedAttestation,
    componentUrl: string | null,
    template: { templateId: string; agreementLink: string } | null,
    user: CurrentUser,
  ): Promise<Attestation> {
    const now = new Date();
    const ts = (value: Date | null) => (value ? tx.dialect.encodeTimestamp(value) : null);
    const label = `${user.name} (${user.email})`;
    await tx.query`
      INSERT INTO attestations (broker_id, tenant_id, pc_attestation_id, request_token, signatory_first_name,
        signatory_last_name, signatory_email, signatory_phone, company_name, country, language, auto_finalize,
        email_link, state, link, component_url, link_expires_at, template_id, agreement_link, created_by_user_id,
        created_by_label, created_at, next_poll_at)
      VALUES (${user.brokerId}, ${tenant.id}, ${created.id}, ${input.requestToken}, ${input.signatoryFirstName},
        ${input.signatoryLastName}, ${input.signatoryEmail}, ${input.signatoryPhone}, ${input.companyName},
        ${input.country}, ${input.language}, ${input.autoFinalize}, ${input.emailLink}, ${'awaiting_acceptance'},
        ${this.links.customerLink(created.id)}, ${componentUrl}, ${ts(created.expiresAt)}, ${template?.templateId ?? null},
        ${template?.agreementLink ?? null}, ${user.id}, ${label}, ${ts(now)},
        ${ts(new Date(now.getTime() + nextPollDelayMs(now, now)))})`;
    const [row] = await tx.query<
      Record<string, unknown>
    >`SELECT * FROM attestations WHERE request_token = ${input.requestToken}`;
    return toAttestation(row, tx.dialect);
  }

  // Open attestations whose next check is due, across brokers (the poll job), oldest due first.
  async due(now: Date, limit: number): Promise<Attestation[]> {
    const rows = await this.sql.query<Record<string, unknown>>`
      SELECT * FROM attestations WHERE state = ${'awaiting_acceptance'}
      AND (next_poll_at IS NULL OR next_poll_at <= ${this.sql.dialect.encodeTimestamp(now)})
      ORDER BY next_poll_at LIMIT ${limit}`;
    return rows.map((row) => toAttestation(row, this.sql.dialect));
  }

  // Links that expire within a day and were not accepted, not yet reminded (the poll job sends each one reminder).
  async remindDue(now: Date, partnerName: (brokerId: number) => Promise<string>): Promise<number> {
    const soon = this.sql.dialect.encodeTimestamp(new Date(now.getTime() + 24 * 60 * 60_000));
    const rows = await this.sql.query<Record<string, unknown>>`
      SELECT * FROM attestations WHERE state = ${'awaiting_acceptance'} AND reminded_at IS NULL AND email_link = TRUE
      AND link_expires_at <= ${soon} AND link_expires_at > ${this.sql.dialect.encodeTimestamp(now)} LIMIT 100`;
    let sent = 0;
    for (const attestation of rows.map((row) => toAttestation(row, this.sql.dialect))) {
      const name = await partnerName(attestation.brokerId);
      await this.sql.transaction(async (tx) => {
        const lock = tx.dialect.name === 'postgres' ? ' FOR UPDATE' : '';
        const [current] = await tx.run<{ reminded_at: unknown }>(
          `SELECT reminded_at FROM attestations WHERE id = ${tx.dialect.placeholder(1)}${lock}`,
          [attestation.id],
        );
        if (!current || current.reminded_at !== null) return;
        await tx.query`UPDATE attestations SET reminded_at = ${tx.dialect.encodeTimestamp(now)} WHERE id = ${attestation.id}`;
        await this.mail.reminder(tx, attestation, name);
        await this.audit.record(tx, {
          action: 'attestation.reminded',
          subject: { type: 'attestation', id: attestation.id },
          brokerId: attestation.brokerId,
          data: { to: attestation.signatoryEmail },
        });
        sent += 1;
      });
    }
    return sent;
  }
}

// The attestation's signatory as Partner Center's Contact.
export const signatoryOf = (attestation: Attestation): Contact => ({
  firstName: attestation.signatoryFirstName,
  lastName: attestation.signatoryLastName,
  email: attestation.signatoryEmail,
  ...(attestation.signatoryPhone ? { phoneNumber: attestation.signatoryPhone } : {}),
});

const PAST: Record<Exclude<AttestationEvent, 'request_finalize'>, string> = {
  accept: 'accepted',
  expire: 'expired',
  cancel: 'cancelled',
  retry: 'finalize_retried',
  finalize: 'finalized',
  fail: 'finalize_failed',
};
