import { Module } from '@nestjs/common';
import { PasswordResetRequestHandler } from './password-reset-request.handler';
import { PasswordsController } from './passwords.controller';
import { PasswordsService } from './passwords.service';

// Changing a password, and resetting a forgotten one by an emailed one-time link.
@Module({ controllers: [PasswordsController], providers: [PasswordsService, PasswordResetRequestHandler] })
export class PasswordsModule {}
