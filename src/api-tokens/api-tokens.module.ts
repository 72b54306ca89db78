import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiToken } from './api-token.entity';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';

// API tokens: created and revoked by admins, presented by integrators' systems on every API request.
@Module({
  imports: [TypeOrmModule.forFeature([ApiToken])],
  providers: [ApiTokensRepository, ApiTokensService],
  exports: [ApiTokensService],
})
export class ApiTokensModule {}
