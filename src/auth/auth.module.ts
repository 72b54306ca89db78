import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthenticatedGuard, RolesGuard } from './guards';
import { LocalStrategy } from './local.strategy';
import { SessionSerializer } from './session.serializer';
import { SetupService } from './setup.service';
import { SignInLimits } from './sign-in-limits.service';

@Module({
  imports: [PassportModule.register({ session: true }), UsersModule],
  controllers: [AuthController],
  providers: [
    LocalStrategy,
    SessionSerializer,
    SetupService,
    SignInLimits,
    { provide: APP_GUARD, useClass: AuthenticatedGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [SignInLimits],
})
export class AuthModule {}
