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
import { ApiBodyParserMiddleware } from './api-body-parser.middleware';
import { ApiContextInterceptor } from './api-context.interceptor';
import { ApiTokenGuard } from './api-token.guard';
import { AttestationBatchesApiController } from './attestation-batches.controller';
import { TokenController } from './token.controller';

// The JSON API under /api/v1: the same services as the pages, reached with a bearer token.
@Module({
  imports: [
    ApiTokensModule,
    AttestationsModule,
    BulkAttestationsModule,
    TypeOrmModule.forFeature([IdempotencyKeyEntity]),
  ],
  controllers: [TokenController, AttestationsApiController, AttestationBatchesApiController],
  providers: [
    ApiTokenGuard,
    ApiContextInterceptor,
    IdempotencyKeysRepository,
    IdempotencyInterceptor,
    IdempotencyPruneHandler,
  ],
})
export class ApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ApiBodyParserMiddleware).forRoutes({ path: 'api/{*splat}', method: RequestMethod.ALL });
  }
}
