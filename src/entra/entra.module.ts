import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordSignInPolicy } from '../sign-in/password-sign-in-policy';
import { SignInModule } from '../sign-in/sign-in.module';
import { UsersModule } from '../users/users.module';
import { EntraSettings } from './entra-settings.entity';
import { EntraSettingsController } from './entra-settings.controller';
import { EntraSettingsService } from './entra-settings.service';
import { EntraSignInController } from './entra-sign-in.controller';
import { EntraSignInService } from './entra-sign-in.service';
import { EntraRepository } from './entra.repository';
import { LoginOptionsMiddleware } from './login-options.middleware';

// Sign in with Microsoft (Entra ID, OpenID Connect). Global so that password sign-in and password resets (sign-in,
// passwords) find the broker's password policy through their own interface.
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([EntraSettings]), UsersModule, SignInModule],
  controllers: [EntraSignInController, EntraSettingsController],
  providers: [
    EntraRepository,
    EntraSettingsService,
    EntraSignInService,
    { provide: PasswordSignInPolicy, useExisting: EntraSettingsService },
  ],
  exports: [PasswordSignInPolicy],
})
export class EntraModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(LoginOptionsMiddleware).forRoutes({ path: 'login', method: RequestMethod.ALL });
  }
}
