import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Broker } from '../brokers/broker.entity';
import { UserProvisioning } from './user-provisioning.service';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User, Broker])],
  controllers: [UsersController],
  providers: [UsersService, UserProvisioning],
  exports: [UsersService, UserProvisioning],
})
export class UsersModule {}
