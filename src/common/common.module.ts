import { Global, Module } from '@nestjs/common';
import { AppUrl } from './app-url';
import { BrokerScope } from './broker-scope.service';

@Global()
@Module({ providers: [BrokerScope, AppUrl], exports: [BrokerScope, AppUrl] })
export class CommonModule {}
