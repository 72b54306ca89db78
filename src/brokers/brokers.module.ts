import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Broker } from './broker.entity';
import { BrokersRepository } from './brokers.repository';

// The partner organisations. Global: every feature that acts for a broker (users, jobs, sync, attestations,
// reports) asks its repository for a broker's name or existence.
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Broker])],
  providers: [BrokersRepository],
  exports: [BrokersRepository],
})
export class BrokersModule {}
