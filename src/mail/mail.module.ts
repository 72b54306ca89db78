import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { join } from 'node:path';
import { appConfig, type AppConfig } from '../config/app.config';
import { MailAttachments } from './mail-attachments';
import { EmlFolderMailDriver, MAIL_DRIVER, SmtpMailDriver, type MailDriver } from './mail-driver';
import { MailSendHandler } from './mail-send.handler';
import { MailTemplates } from './mail-templates';
import { OutboxMessageEntity } from './outbox-message.entity';
import { OutboxRepository } from './outbox.repository';
import { MAIL_SEND_JOB, Outbox } from './outbox.service';
import { JobQueue } from '../jobs/job-queue.service';
import { Metrics } from '../metrics/metrics.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessageEntity])],
  providers: [
    {
      // SMTP when SMTP_URL is set; otherwise .eml files in DATA_DIR/outbox.
      provide: MAIL_DRIVER,
      inject: [appConfig.KEY],
      useFactory: (app: AppConfig): MailDriver =>
        app.smtpUrl ? new SmtpMailDriver(app.smtpUrl) : new EmlFolderMailDriver(join(app.dataDir, 'outbox')),
    },
    MailTemplates,
    OutboxRepository,
    Outbox,
    MailSendHandler,
    MailAttachments,
  ],
  exports: [Outbox, MAIL_DRIVER, MailAttachments],
})
export class MailModule implements OnApplicationShutdown {
  constructor(
    @Inject(MAIL_DRIVER) private readonly driver: MailDriver,
    metrics: Metrics,
    queue: JobQueue,
  ) {
    // Each outbox message is sent by a job of its own: the unfinished ones are the messages not yet handed over.
    metrics.gauge('mca_outbox_backlog', 'Outbox messages not yet handed to the mail server', [], async (set) =>
      set({}, await queue.unfinished(MAIL_SEND_JOB)),
    );
  }

  // After the job worker stopped (it stops in onModuleDestroy), so no send is cut off.
  onApplicationShutdown(): void {
    this.driver.close();
  }
}
