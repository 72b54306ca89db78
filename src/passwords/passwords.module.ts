import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobRegistry } from '../jobs/job-registry';
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
export class PasswordsModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly resetRequests: PasswordResetRequestHandler,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.resetRequests);
  }
}
