import { Inject, Injectable, Logger } from '@nestjs/common';
import { BrokersRepository } from '../brokers/brokers.repository';
import { Clock } from '../common/clock';
import { runForBroker } from '../common/request-context';
import { SqlService } from '../database/sql.service';
import { PARTNER_CENTER_API } from '../partner-center-settings/partner-center.ports';
import { PartnerCenterSettingsService } from '../partner-center-settings/partner-center-settings.service';
import { PartnerCenterError, type PartnerCenterApi } from '../partner-center/partner-center.types';
import { TenantsRepository } from '../tenants/tenants.repository';
import { FAILURE_KINDS } from './attestation.record';
import { AttestationsRepository } from './attestations.repository';
import { BACKGROUND_CHECK_LABEL } from './customer-acceptance';
import { AGREEMENT_ALREADY_EXISTS } from '../partner-center/partner-center.shapes';
import {
  AttestationsService,
  FINALIZE_JOB,
  FINALIZE_MAX_ATTEMPTS,
  finalizeKey,
  finalizeRequestId,
  signatoryOf,
} from './attestations.service';
import { JobHandler, PermanentJobError, RetryLaterError, type JobContext } from '../jobs/job-handler';

export const POLL_JOB = 'attestation.poll';
export const POLL_EVERY_MS = 15_000;
const POLL_BATCH = 50;

// What is worth trying again: Partner Center busy or down. Anything else it said is its answer.
const isTransient = (error: PartnerCenterError) =>
  error.kind === 'rate_limited' ||
  error.kind === 'unavailable' ||
  error.kind === 'timeout' ||
  error.kind === 'invalid_response';

// The recurring check of open links (learning of acceptance and expiry), and the one-day reminders.
@Injectable()
@JobHandler({ type: POLL_JOB, recurring: { name: 'attestations.poll', timing: { everyMs: POLL_EVERY_MS } } })
export class AttestationPollHandler implements JobHandler<Record<string, never>> {
  private readonly logger = new Logger(AttestationPollHandler.name);

  constructor(
    private readonly attestations: AttestationsService,
    private readonly sql: SqlService,
    private readonly brokers: BrokersRepository,
    private readonly clock: Clock,
  ) {}

  parse(): Record<string, never> {
    return {};
  }

  async handle(_payload: Record<string, never>, ctx: JobContext): Promise<void> {
    const now = this.clock.now();
    for (const attestation of await this.attestations.due(now, POLL_BATCH)) {
      if (ctx.signal.aborted) return;
      try {
        await runForBroker(attestation.brokerId, () => this.attestations.check(attestation), {
          type: 'system',
          jobId: ctx.jobId,
          label: BACKGROUND_CHECK_LABEL,
        });
      } catch (error) {
        // Rate limited: stop the round and come back when Partner Center says (the others wait their turn).
        if (error instanceof PartnerCenterError && error.kind === 'rate_limited')
          throw new RetryLaterError(error.message, error.details.retryAfterMs ?? 60_000);
        this.logger.warn(
          `Checking attestation ${attestation.id}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    await this.attestations.remindDue(
      now,
      async (brokerId) => (await this.brokers.nameOf(brokerId)) ?? 'Your Microsoft partner',
    );
  }
}

// A 600061 that reaches here is another attestation's agreement: the client returns this one's as a success.
const kindOf = (error: PartnerCenterError): string | null =>
  error.details.code === AGREEMENT_ALREADY_EXISTS
    ? FAILURE_KINDS.contactUsed
    : error.kind === 'forbidden'
      ? FAILURE_KINDS.forbidden
      : null;

// Creates the customer agreement from an accepted attestation. Its job's unique key (finalize:<id>) makes it run
// once per attestation across double clicks, auto-finalize and app instances; its MS-RequestId is stable per
// attestation, and "already exists" counts as done only when the agreement is this attestation's (the client
// checks the contact and the date), so a retry after a lost answer cannot make a second one.
@Injectable()
@JobHandler<{ attestationId: number }>({
  type: FINALIZE_JOB,
  attempts: FINALIZE_MAX_ATTEMPTS,
  unique: { key: ({ attestationId }) => finalizeKey(attestationId) },
})
export class AttestationFinalizeHandler implements JobHandler<{ attestationId: number }> {
  constructor(
    private readonly attestations: AttestationsService,
    private readonly repository: AttestationsRepository,
    private readonly sql: SqlService,
    private readonly settings: PartnerCenterSettingsService,
    @Inject(PARTNER_CENTER_API) private readonly client: PartnerCenterApi,
    private readonly tenants: TenantsRepository,
  ) {}

  parse(payload: unknown): { attestationId: number } {
    const id = (payload as { attestationId?: unknown } | null)?.attestationId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new Error('The payload names no attestation');
    return { attestationId: id };
  }

  async handle({ attestationId }: { attestationId: number }, ctx: JobContext): Promise<void> {
    const attestation = await this.repository.byId(attestationId);
    // Gone, cancelled or finalized meanwhile: nothing to do.
    if (attestation?.state !== 'accepted') return;
    const tenant = await this.tenants.summary(attestation.brokerId, attestation.tenantId);
    if (!tenant) throw new Error(`The tenant of attestation ${attestation.id} is gone`);
    let agreement;
    try {
      const credentials = await this.settings.credentialsFor(attestation.brokerId);
      agreement = await this.client.createAgreementFromAttestation(
        credentials,
        {
          customerTenantId: tenant.microsoftTenantId,
          attestationId: attestation.pcAttestationId,
          signatory: signatoryOf(attestation),
          createdAt: attestation.createdAt,
          acceptedAt: attestation.acceptedAt,
          templateId: attestation.templateId,
        },
        finalizeRequestId(attestation),
      );
    } catch (error) {
      if (!(error instanceof PartnerCenterError)) throw error;
      const lastTry = ctx.attempt >= ctx.maxAttempts;
      if (isTransient(error) && !lastTry) throw new RetryLaterError(error.message, error.details.retryAfterMs);
      await this.attestations.failFinalize(attestationId, error.message, kindOf(error));
      // Dead at once: its unique key is free again for the partner's Retry.
      throw new PermanentJobError(error.message);
    }
    await this.attestations.completeFinalize(attestationId, agreement);
  }
}
