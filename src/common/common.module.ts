import { Global, Module } from '@nestjs/common';
import { appConfig, type AppConfig } from '../config/app.config';
import { AppInstance } from './app-instance';
import { AppUrl } from './app-url';
import { BrokerScope } from './broker-scope.service';
import { Clock } from './clock';
import { SecretBox } from './secret-box';
import { ShutdownState } from './shutdown-state';

@Global()
@Module({
  providers: [
    BrokerScope,
    AppInstance,
    AppUrl,
    ShutdownState,
    Clock,
    {
      provide: SecretBox,
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => new SecretBox(config.secret),
    },
  ],
  exports: [BrokerScope, AppInstance, AppUrl, SecretBox, ShutdownState, Clock],
})
export class CommonModule {}
