import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ApiTokensModule } from '../api-tokens/api-tokens.module';
import { BulkAttestationsModule } from '../bulk-attestations/bulk-attestations.module';
import { ApiBodyParserMiddleware } from './api-body-parser.middleware';
import { ApiContextInterceptor } from './api-context.interceptor';
import { ApiTokenGuard } from './api-token.guard';
import { AttestationBatchesApiController } from './attestation-batches.controller';
import { TokenController } from './token.controller';

// The JSON API under /api/v1: the same services as the pages, reached with a bearer token.
@Module({
  imports: [ApiTokensModule, BulkAttestationsModule],
  controllers: [TokenController, AttestationBatchesApiController],
  providers: [ApiTokenGuard, ApiContextInterceptor],
})
export class ApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ApiBodyParserMiddleware).forRoutes({ path: 'api/{*splat}', method: RequestMethod.ALL });
  }
}
