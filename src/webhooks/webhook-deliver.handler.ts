import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { Clock } from '../common/clock';
import { SecretBox } from '../common/secret-box';
import { SqlService } from '../database/sql.service';
import { JobHandler } from '../jobs/job-handler';
import { JobQueue } from '../jobs/job-queue.service';
import { WEBHOOK_DELIVER_JOB } from './webhook-events.service';
import { isSuccess, WebhookSender, type DeliveryOutcome } from './webhook-sender';
import { secretContext } from './webhook-secret';
import { WebhooksRepository } from './webhooks.repository';

// The Standard Webhooks schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (a day and more
// in all); then the message has failed.
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const MAX_DELIVERY_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

export interface DeliverPayload {
  message: number;
  attempt: number;
  // A redelivery asked for by an admin: one attempt, no schedule after it.
  manual: boolean;
}

const positive = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value > 0;

// One attempt of one message, a job each: the attempt's outcome, the message's state and the next attempt's job
// commit together, and an attempt already recorded is never made again. A job cut off mid-send (the app died) runs
// again with the same webhook-id, which lets the receiver drop the copy.
@Injectable()
@JobHandler<DeliverPayload>({
  type: WEBHOOK_DELIVER_JOB,
  // Only for the app's own trouble (its database): an endpoint's failure is the message's schedule, not the job's.
  attempts: 3,
  unique: { key: ({ message, attempt }) => `webhook:${message}:${attempt}` },
})
export class WebhookDeliverHandler implements JobHandler<DeliverPayload> {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly sender: WebhookSender,
    private readonly box: SecretBox,
    private readonly queue: JobQueue,
    private readonly sql: SqlService,
    private readonly clock: Clock,
  ) {}

  parse(payload: unknown): DeliverPayload {
    const { message, attempt, manual } = (payload ?? {}) as Record<string, unknown>;
    if (!positive(message) || !positive(attempt)) throw new Error('message and attempt must be positive integers');
    return { message: message as number, attempt: attempt as number, manual: manual === true };
  }

  async handle({ message, attempt, manual }: DeliverPayload): Promise<void> {
    const target = await this.repository.deliveryTarget(message);
    // Deleted with its endpoint, or this attempt's outcome is recorded already.
    if (!target || target.state !== 'pending' || target.attempts >= attempt) return;
    const startedAt = this.clock.now();
    let outcome: DeliveryOutcome;
    if (target.enabled) {
      const secret = this.box.open(target.secretSealed, secretContext(target.endpointId));
      const headers = {
        'webhook-id': target.messageId,
        'webhook-timestamp': String(Math.floor(startedAt.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(target.messageId, startedAt, target.payload),
      };
      outcome = await this.sender.post(target.url, headers, target.payload);
    } else {
      outcome = { statusCode: null, error: 'The endpoint is disabled: not sent', durationMs: 0, excerpt: null };
    }
    const delivered = isSuccess(outcome);
    const retry = !delivered && target.enabled && !manual && attempt < MAX_DELIVERY_ATTEMPTS;
    const nextAttemptAt = retry ? new Date(this.clock.nowMs() + RETRY_DELAYS_MS[attempt - 1]) : null;
    await this.sql.transaction(async (tx) => {
      const recorded = await this.repository.recordAttempt(tx, {
        brokerId: target.brokerId,
        endpointId: target.endpointId,
        messageRowId: target.id,
        attempt,
        startedAt,
        statusCode: outcome.statusCode,
        error: outcome.error?.slice(0, 500) ?? null,
        durationMs: outcome.durationMs,
        responseExcerpt: outcome.excerpt?.slice(0, 1000) ?? null,
        state: delivered ? 'delivered' : retry ? 'pending' : 'failed',
        nextAttemptAt,
      });
      if (recorded && nextAttemptAt) {
        await this.queue.enqueue(
          tx,
          WEBHOOK_DELIVER_JOB,
          { message, attempt: attempt + 1, manual: false },
          { brokerId: target.brokerId, runAt: nextAttemptAt },
        );
      }
    });
  }
}
