import { Inject, Injectable } from '@nestjs/common';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import {
  ConflictError,
  NotFoundInBrokerError,
  ValidationFailedError,
  type FieldMessages,
} from '../common/domain-errors';
import { keysetPage, type KeysetCursor, type KeysetPage } from '../common/keyset-page';
import { SecretBox } from '../common/secret-box';
import { SqlService } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import { WEBHOOK_AUDIT, type WebhookAudit } from './webhook-audit';
import type { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-event-types';
import { WEBHOOK_DELIVER_JOB, WebhookEvents } from './webhook-events.service';
import { newSigningSecret, secretContext } from './webhook-secret';
import { WebhookDestinations } from './webhook-destinations';
import { WebhooksRepository, type AttemptLogRow } from './webhooks.repository';

export const LOG_PAGE_SIZE = 25;
const MAX_DESCRIPTION = 200;

// The endpoint form's fields as sent (WebhookEndpointDto, or the same from another caller of the service).
export interface EndpointForm {
  url?: string;
  description?: string;
  events?: string | string[];
  enabled?: string;
}

export interface EndpointSettings {
  url: string;
  description: string;
  events: WebhookEventType[];
  enabled: boolean;
}

export interface WebhookEndpoint {
  id: number;
  url: string;
  description: string;
  events: WebhookEventType[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const toEndpoint = (row: WebhookEndpointEntity): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  description: row.description,
  events: row.events.split(',').filter(isWebhookEventType),
  enabled: row.enabled,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const subject = (id: number) => ({ type: 'webhook_endpoint', id });

// The broker's endpoints, for its admins: registered (the signing secret shown once), changed, rotated, deleted,
// each change audited; their delivery log; a test event and a redelivery, both through the queue.
@Injectable()
export class WebhookEndpoints {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly destinations: WebhookDestinations,
    private readonly events: WebhookEvents,
    private readonly queue: JobQueue,
    private readonly box: SecretBox,
    private readonly sql: SqlService,
    private readonly scope: BrokerScope,
    private readonly clock: Clock,
    @Inject(WEBHOOK_AUDIT) private readonly audit: WebhookAudit,
  ) {}

  async list(): Promise<WebhookEndpoint[]> {
    return (await this.repository.endpoints(this.scope.brokerId())).map(toEndpoint);
  }

  async get(id: number): Promise<WebhookEndpoint> {
    return toEndpoint(await this.found(id));
  }

  // The new endpoint and its signing secret, which is not shown again.
  async create(form: EndpointForm): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const settings = await this.read(form);
    const brokerId = this.scope.brokerId();
    const secret = newSigningSecret();
    const now = this.clock.now();
    const endpoint = await this.sql.transaction(async (tx) => {
      const row = await this.repository.insertEndpoint(tx, {
        brokerId,
        url: settings.url,
        description: settings.description,
        events: settings.events.join(','),
        enabled: settings.enabled,
        secretSealed: '',
        createdAt: now,
        updatedAt: now,
      });
      // Sealed for this endpoint's id, which the insert gave.
      await this.repository.updateEndpoint(tx, row.id, { secretSealed: this.box.seal(secret, secretContext(row.id)) });
      await this.audit.record(tx, {
        action: 'webhook.endpoint_created',
        subject: subject(row.id),
        data: { ...settings },
      });
      return row;
    });
    return { endpoint: toEndpoint({ ...endpoint, secretSealed: '' }), secret };
  }

  // The URL is the endpoint's identity (its secret was given for it): a new URL is a new endpoint.
  async update(id: number, form: Omit<EndpointForm, 'url'>): Promise<WebhookEndpoint> {
    const before = await this.get(id);
    const settings = this.readSettings(form, {});
    await this.sql.transaction(async (tx) => {
      await this.repository.updateEndpoint(tx, id, {
        description: settings.description,
        events: settings.events.join(','),
        enabled: settings.enabled,
        updatedAt: this.clock.now(),
      });
      await this.audit.record(tx, {
        action: 'webhook.endpoint_updated',
        subject: subject(id),
        data: {
          url: before.url,
          from: { description: before.description, events: before.events, enabled: before.enabled },
          to: settings,
        },
      });
    });
    return { ...before, ...settings };
  }

  // A new secret, in force at once for every attempt from now on; the old one no longer signs anything.
  async rotateSecret(id: number): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const endpoint = await this.get(id);
    const secret = newSigningSecret();
    await this.sql.transaction(async (tx) => {
      await this.repository.updateEndpoint(tx, id, {
        secretSealed: this.box.seal(secret, secretContext(id)),
        updatedAt: this.clock.now(),
      });
      await this.audit.record(tx, {
        action: 'webhook.secret_rotated',
        subject: subject(id),
        data: { url: endpoint.url },
      });
    });
    return { endpoint, secret };
  }

  // With its messages and their log; their queued attempts find nothing and do nothing.
  async delete(id: number): Promise<WebhookEndpoint> {
    const endpoint = await this.get(id);
    await this.sql.transaction(async (tx) => {
      await this.repository.deleteEndpoint(tx, id);
      await this.audit.record(tx, {
        action: 'webhook.endpoint_deleted',
        subject: subject(id),
        data: { url: endpoint.url, description: endpoint.description, events: endpoint.events },
      });
    });
    return endpoint;
  }

  async sendTest(id: number): Promise<string> {
    const endpoint = await this.enabled(id);
    return this.sql.transaction(async (tx) => {
      const messageId = await this.events.test(tx, this.scope.brokerId(), endpoint.id);
      await this.audit.record(tx, {
        action: 'webhook.test_sent',
        subject: subject(id),
        data: { url: endpoint.url, messageId },
      });
      return messageId;
    });
  }

  // The message once more, with the same webhook-id: one attempt, queued.
  async redeliver(id: number, messageRowId: number): Promise<string> {
    const endpoint = await this.enabled(id);
    const message = await this.repository.messageOf(endpoint.id, messageRowId);
    if (!message) throw new NotFoundInBrokerError('That message');
    await this.sql.transaction(async (tx) => {
      const attempts = await this.repository.reopenMessage(tx, endpoint.id, messageRowId, this.clock.now());
      if (attempts === null) throw new ConflictError(`Message ${message.messageId} is being delivered already.`);
      await this.queue.enqueue(
        tx,
        WEBHOOK_DELIVER_JOB,
        { message: messageRowId, attempt: attempts + 1, manual: true },
        { brokerId: this.scope.brokerId() },
      );
      await this.audit.record(tx, {
        action: 'webhook.redelivered',
        subject: subject(id),
        data: { url: endpoint.url, messageId: message.messageId, eventType: message.eventType },
      });
    });
    return message.messageId;
  }

  async log(id: number, cursor: KeysetCursor): Promise<KeysetPage<AttemptLogRow> & { waiting: number }> {
    const endpoint = await this.get(id);
    const [page, waiting] = await Promise.all([
      keysetPage(cursor, LOG_PAGE_SIZE, (bound, limit) => this.repository.attempts(endpoint.id, bound, limit)),
      this.repository.waiting(endpoint.id),
    ]);
    return { ...page, waiting };
  }

  private async found(id: number): Promise<WebhookEndpointEntity> {
    const row = await this.repository.endpoint(this.scope.brokerId(), id);
    if (!row) throw new NotFoundInBrokerError('That webhook endpoint');
    return row;
  }

  private async enabled(id: number): Promise<WebhookEndpoint> {
    const endpoint = await this.get(id);
    if (!endpoint.enabled) throw new ConflictError('This endpoint is disabled: enable it first, then send again.');
    return endpoint;
  }

  // Every field's problem at once; the URL (resolved, so a slower check) only when it is the only one left.
  private async read(form: EndpointForm): Promise<EndpointSettings> {
    const errors: FieldMessages = {};
    let url = '';
    try {
      url = await this.destinations.check(form.url ?? '');
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      Object.assign(errors, error.fields);
    }
    return { ...this.readSettings(form, errors), url };
  }

  private readSettings(form: EndpointForm, errors: FieldMessages): Omit<EndpointSettings, 'url'> {
    const description = (form.description ?? '').trim();
    if (description.length > MAX_DESCRIPTION)
      errors.description = `The description must be at most ${MAX_DESCRIPTION} characters.`;
    const chosen = [form.events ?? []].flat();
    const unknown = chosen.filter((type) => !isWebhookEventType(type));
    if (unknown.length > 0) errors.events = `Not an event this app sends: ${unknown.join(', ').slice(0, 200)}.`;
    else if (chosen.length === 0) errors.events = 'Choose at least one event to send to this endpoint.';
    if (form.enabled !== undefined && form.enabled !== 'on') errors.enabled = 'Check the box or leave it empty.';
    if (Object.keys(errors).length > 0) throw new ValidationFailedError(errors);
    const events = (Object.keys(WEBHOOK_EVENT_TYPES) as WebhookEventType[]).filter((type) => chosen.includes(type));
    return { description, events, enabled: form.enabled === 'on' };
  }
}
