import { Global, Module } from '@nestjs/common';
import { appConfig, type AppConfig } from '../config/app.config';
import { AppUrl } from './app-url';
import { BrokerScope } from './broker-scope.service';
import { Clock } from './clock';
import { SecretBox } from './secret-box';
import { ShutdownState } from './shutdown-state';

@Global()
@Module({
  providers: [
    BrokerScope,
    AppUrl,
    ShutdownState,
    Clock,
    {
      provide: SecretBox,
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => new SecretBox(config.secret),
    },
  ],
  exports: [BrokerScope, AppUrl, SecretBox, ShutdownState, Clock],
})
export class CommonModule {}
