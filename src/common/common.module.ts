import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config';
import { AppUrl } from './app-url';
import { BrokerScope } from './broker-scope.service';
import { SecretBox } from './secret-box';
import { ShutdownState } from './shutdown-state';

@Global()
@Module({
  providers: [
    BrokerScope,
    AppUrl,
    ShutdownState,
    {
      provide: SecretBox,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => new SecretBox(config.getOrThrow<AppConfig>('app').secret),
    },
  ],
  exports: [BrokerScope, AppUrl, SecretBox, ShutdownState],
})
export class CommonModule {}
