import { Global, Module } from '@nestjs/common';
import { BrokerScope } from './broker-scope.service';

@Global()
@Module({ providers: [BrokerScope], exports: [BrokerScope] })
export class CommonModule {}
