import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrokersModule } from '../brokers/brokers.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UserProvisioning } from './user-provisioning.service';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User]), BrokersModule, SessionsModule],
  controllers: [UsersController],
  providers: [UsersService, UserProvisioning, UsersRepository],
  exports: [UsersService, UserProvisioning, UsersRepository],
})
export class UsersModule {}
