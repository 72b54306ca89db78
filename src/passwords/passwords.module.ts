import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { PasswordResetRequestHandler } from './password-reset-request.handler';
import { PasswordResetToken } from './password-reset-token.entity';
import { PasswordsRepository } from './passwords.repository';
import { PasswordsController } from './passwords.controller';
import { PasswordsService } from './passwords.service';

// Changing a password, and resetting a forgotten one by an emailed one-time link.
@Module({
  imports: [TypeOrmModule.forFeature([PasswordResetToken]), UsersModule],
  controllers: [PasswordsController],
  providers: [PasswordsService, PasswordsRepository, PasswordResetRequestHandler],
})
export class PasswordsModule {}
