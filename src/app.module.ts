import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ApiModule } from './api/api.module';
import { AttestationsModule } from './attestations/attestations.module';
import { AuditAnchoringModule } from './audit/audit-anchoring.module';
import { AuditModule } from './audit/audit.module';
import { CurrentUserLocalsMiddleware } from './auth/current-user-locals.middleware';
import { BackupsModule } from './backups/backups.module';
import { BrokersModule } from './brokers/brokers.module';
import { BulkAttestationsModule } from './bulk-attestations/bulk-attestations.module';
import { BulkUploadMiddleware } from './bulk-attestations/bulk-upload.middleware';
import { AppExceptionFilter } from './common/app-exception.filter';
import { BodyParserMiddleware } from './common/body-parser.middleware';
import { CommonModule } from './common/common.module';
import { CsrfMiddleware } from './common/csrf';
import { AppValidationPipe } from './common/validation.pipe';
import { ViewLocalsMiddleware } from './common/view-locals.middleware';
import { appConfig } from './config/app.config';
import { DatabaseGateMiddleware } from './database/database-gate.middleware';
import { DatabaseModule } from './database/database.module';
import { EntraModule } from './entra/entra.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { HomeModule } from './home/home.module';
import { JobsModule } from './jobs/jobs.module';
import { LoggingModule } from './logging/logging.module';
import { MailModule } from './mail/mail.module';
import { PartnerCenterModule } from './partner-center/partner-center.module';
import { PartnerCenterSettingsModule } from './partner-center-settings/partner-center-settings.module';
import { PasswordsModule } from './passwords/passwords.module';
import { RateLimitsModule } from './rate-limits/rate-limits.module';
import { ReportsModule } from './reports/reports.module';
import { SessionsModule } from './sessions/sessions.module';
import { SignInModule } from './sign-in/sign-in.module';
import { SyncModule } from './sync/sync.module';
import { TenantsModule } from './tenants/tenants.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { AuditTrail } from './audit/audit-trail.service';

const ALL_ROUTES = { path: '{*splat}', method: RequestMethod.ALL };

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
    LoggingModule,
    MetricsModule,
    DatabaseModule,
    BrokersModule,
    ScheduleModule.forRoot(),
    CommonModule,
    RateLimitsModule,
    JobsModule,
    AuditModule,
    MailModule,
    WebhooksModule.forRoot(AuditTrail),
    SessionsModule,
    UsersModule,
    SignInModule,
    EntraModule,
    PasswordsModule,
    HealthModule,
    HomeModule,
    SyncModule,
    TenantsModule,
    PartnerCenterSettingsModule,
    PartnerCenterModule,
    AttestationsModule,
    ReportsModule,
    BulkAttestationsModule,
    AuditAnchoringModule,
    BackupsModule,
    ApiModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: AppExceptionFilter },
    { provide: APP_PIPE, useClass: AppValidationPipe },
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(DatabaseGateMiddleware).exclude('healthz', 'readyz').forRoutes(ALL_ROUTES);
    // The pages' middleware; the API (bearer tokens, JSON bodies, no session and so no CSRF) has its own.
    consumer
      .apply(
        BodyParserMiddleware,
        BulkUploadMiddleware,
        CsrfMiddleware,
        ViewLocalsMiddleware,
        CurrentUserLocalsMiddleware,
      )
      .exclude('healthz', 'readyz', 'api/{*splat}')
      .forRoutes(ALL_ROUTES);
  }
}
