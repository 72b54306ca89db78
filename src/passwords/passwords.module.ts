import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../jobs/job-registry';
import { PasswordResetRequestHandler } from './password-reset-request.handler';
import { PasswordsController } from './passwords.controller';
import { PasswordsService } from './passwords.service';

// Changing a password, and resetting a forgotten one by an emailed one-time link.
@Module({ controllers: [PasswordsController], providers: [PasswordsService, PasswordResetRequestHandler] })
export class PasswordsModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly resetRequests: PasswordResetRequestHandler,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.resetRequests);
  }
}
