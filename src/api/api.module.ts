import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokensModule } from '../api-tokens/api-tokens.module';
import { AttestationsModule } from '../attestations/attestations.module';
import { AttestationsApiController } from './attestations-api.controller';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyPruneHandler } from './idempotency-prune.handler';
import { BulkAttestationsModule } from '../bulk-attestations/bulk-attestations.module';
import { ReportsModule } from '../reports/reports.module';
import { SyncModule } from '../sync/sync.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ApiBodyParserMiddleware } from './api-body-parser.middleware';
import { ApiContextInterceptor } from './api-context.interceptor';
import { ApiReferenceController } from './api-reference.controller';
import { ApiTokenGuard } from './api-token.guard';
import { AttestationBatchesApiController } from './attestation-batches.controller';
import { OpenApiController } from './openapi.controller';
import { OpenApiDocument } from './openapi-document';
import { ReportsController } from './reports.controller';
import { SyncController } from './sync.controller';
import { TenantsController } from './tenants.controller';
import { TokenController } from './token.controller';

// The JSON API under /api/v1: the same services as the pages, reached with a bearer token.
@Module({
  imports: [
    ApiTokensModule,
    TenantsModule,
    SyncModule,
    AttestationsModule,
    ReportsModule,
    BulkAttestationsModule,
    TypeOrmModule.forFeature([IdempotencyKeyEntity]),
  ],
  controllers: [
    TokenController,
    TenantsController,
    AttestationsApiController,
    AttestationBatchesApiController,
    SyncController,
    ReportsController,
    OpenApiController,
    ApiReferenceController,
  ],
  providers: [
    ApiTokenGuard,
    ApiContextInterceptor,
    IdempotencyKeysRepository,
    IdempotencyInterceptor,
    IdempotencyPruneHandler,
    OpenApiDocument,
  ],
})
export class ApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ApiBodyParserMiddleware).forRoutes({ path: 'api/{*splat}', method: RequestMethod.ALL });
  }
}
