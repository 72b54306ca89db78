import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { ApiTokenRequestCount } from './api-token-request-count.entity';
import { ApiToken } from './api-token.entity';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';
import { RequestCountsPruneHandler } from './request-counts-prune.handler';

// API tokens: created and revoked by admins on the API access page, presented by integrators' systems on every API
// request, and counted per minute for the rate limit.
@Module({
  imports: [TypeOrmModule.forFeature([ApiToken, ApiTokenRequestCount]), UsersModule],
  controllers: [ApiTokensController],
  providers: [ApiTokensRepository, ApiTokensService, RequestCountsPruneHandler],
  exports: [ApiTokensService],
})
export class ApiTokensModule {}
