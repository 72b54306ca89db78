import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ApiTokensModule } from '../api-tokens/api-tokens.module';
import { ApiBodyParserMiddleware } from './api-body-parser.middleware';
import { ApiContextInterceptor } from './api-context.interceptor';
import { ApiTokenGuard } from './api-token.guard';
import { TokenController } from './token.controller';

// The JSON API under /api/v1: the same services as the pages, reached with a bearer token.
@Module({
  imports: [ApiTokensModule],
  controllers: [TokenController],
  providers: [ApiTokenGuard, ApiContextInterceptor],
})
export class ApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ApiBodyParserMiddleware).forRoutes({ path: 'api/{*splat}', method: RequestMethod.ALL });
  }
}
