import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AuthenticatedGuard, RolesGuard } from '../auth/guards';
import { SetupCheck } from '../auth/setup-check';
import { UsersModule } from '../users/users.module';
import { LocalStrategy } from './local.strategy';
import { SessionSerializer } from './session.serializer';
import { SetupService } from './setup.service';
import { SignInController } from './sign-in.controller';
import { SignInLimits } from './sign-in-limits.service';

// Signing in with a password, signing out, and the first run. It turns auth's guards on for every route: the guard
// asks this module (through auth's SetupCheck) whether the installation still needs its first admin.
@Module({
  imports: [PassportModule.register({ session: true }), UsersModule],
  controllers: [SignInController],
  providers: [
    LocalStrategy,
    SessionSerializer,
    SetupService,
    SignInLimits,
    { provide: SetupCheck, useExisting: SetupService },
    { provide: APP_GUARD, useClass: AuthenticatedGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [SignInLimits],
})
export class SignInModule {}
