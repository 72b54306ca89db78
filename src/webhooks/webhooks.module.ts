import { DynamicModule, Module, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobQueue } from '../jobs/job-queue.service';
import { Metrics } from '../metrics/metrics.service';
import { WEBHOOK_AUDIT, type WebhookAudit } from './webhook-audit';
import { WebhookAttemptEntity } from './webhook-attempt.entity';
import { WebhookDeliverHandler } from './webhook-deliver.handler';
import { WebhookDestinations } from './webhook-destinations';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookEndpoints } from './webhook-endpoints.service';
import { WEBHOOK_DELIVER_JOB, WebhookEvents } from './webhook-events.service';
import { WebhookMessageEntity } from './webhook-message.entity';
import { WebhookSender } from './webhook-sender';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';

// Webhooks: global, so that every feature emits its events (WebhookEvents) in the transaction of their cause. The
// app module gives it the audit trail (`forRoot(AuditTrail)`), which stands beside it on the same layer.
@Module({})
export class WebhooksModule {
  static forRoot(audit: Type<WebhookAudit>): DynamicModule {
    return {
      module: WebhooksModule,
      global: true,
      imports: [TypeOrmModule.forFeature([WebhookEndpointEntity, WebhookMessageEntity, WebhookAttemptEntity])],
      controllers: [WebhooksController],
      providers: [
        { provide: WEBHOOK_AUDIT, useExisting: audit },
        WebhooksRepository,
        WebhookDestinations,
        WebhookSender,
        WebhookEvents,
        WebhookEndpoints,
        WebhookDeliverHandler,
      ],
      exports: [WebhookEvents, WebhookEndpoints],
    };
  }

  constructor(metrics: Metrics, queue: JobQueue) {
    metrics.gauge('mca_webhook_backlog', 'Webhook delivery attempts queued or running', [], async (set) =>
      set({}, await queue.unfinished(WEBHOOK_DELIVER_JOB)),
    );
  }
}
