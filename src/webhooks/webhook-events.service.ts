import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppUrl } from '../common/app-url';
import { Clock } from '../common/clock';
import type { Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import { TEST_EVENT, type WebhookEventType } from './webhook-event-types';
import { WebhooksRepository } from './webhooks.repository';

export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';

export interface WebhookEvent {
  brokerId: number;
  type: WebhookEventType;
  // What the integrator needs: ids, states, and the API paths of the objects (`url` and `…Url` fields, made absolute).
  data: Record<string, unknown>;
}

// The Standard Webhooks message id: stable across every attempt and redelivery of the message.
export const newMessageId = (): string => `msg_${randomBytes(18).toString('base64url')}`;

// Events for partners' endpoints, written in the transaction of their cause: one message and its first delivery
// job per enabled endpoint that wants the event. When the cause rolls back, nothing is sent.
@Injectable()
export class WebhookEvents {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly queue: JobQueue,
    private readonly appUrl: AppUrl,
    private readonly clock: Clock,
  ) {}

  emit(tx: Tx, event: WebhookEvent): Promise<number> {
    return this.emitAll(tx, event.brokerId, [event]);
  }

  // Several events of one broker (a sync batch's status changes): its endpoints are read once. Returns how many
  // messages were queued.
  async emitAll(tx: Tx, brokerId: number, events: readonly Omit<WebhookEvent, 'brokerId'>[]): Promise<number> {
    if (events.length === 0) return 0;
    const endpoints = await this.repository.enabledEndpoints(tx, brokerId);
    let queued = 0;
    for (const event of events) {
      const wanting = endpoints.filter((e) => e.events.split(',').includes(event.type));
      if (wanting.length === 0) continue;
      const payload = this.payload(event.type, event.data);
      for (const endpoint of wanting) await this.enqueue(tx, brokerId, endpoint.id, event.type, payload);
      queued += wanting.length;
    }
    return queued;
  }

  // A `webhook.test` message to one endpoint (its admin's "Send test event").
  async test(tx: Tx, brokerId: number, endpointId: number): Promise<string> {
    const payload = this.payload(TEST_EVENT, { endpointId, message: 'A test event from MCA Manager.' });
    return this.enqueue(tx, brokerId, endpointId, TEST_EVENT, payload);
  }

  private payload(type: string, data: Record<string, unknown>): string {
    const base = this.appUrl.base();
    const absolute = Object.fromEntries(
      Object.entries(data).map(([key, value]) =>
        /(^u|U)rl$/.test(key) && typeof value === 'string' && value.startsWith('/')
          ? [key, `${base}${value}`]
          : [key, value],
      ),
    );
    return JSON.stringify({ type, timestamp: this.clock.now().toISOString(), data: absolute });
  }

  private async enqueue(tx: Tx, brokerId: number, endpointId: number, type: string, payload: string) {
    const messageId = newMessageId();
    const id = await this.repository.insertMessage(tx, {
      brokerId,
      endpointId,
      messageId,
      eventType: type,
      payload,
      createdAt: this.clock.now(),
    });
    await this.queue.enqueue(tx, WEBHOOK_DELIVER_JOB, { message: id, attempt: 1, manual: false }, { brokerId });
    return messageId;
  }
}
