import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitHit } from './rate-limit-hit.entity';
import { RateLimits } from './rate-limits.service';
import { RateLimitsRepository } from './rate-limits.repository';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([RateLimitHit])],
  providers: [RateLimits, RateLimitsRepository],
  exports: [RateLimits],
})
export class RateLimitsModule {}
