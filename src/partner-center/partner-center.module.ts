import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config';
import { PartnerCenterClient } from './partner-center.client';
import { PARTNER_CENTER_CLIENT_OPTIONS, type PartnerCenterClientOptions } from './partner-center.options';
import { PartnerCenterSandboxService } from './sandbox/partner-center-sandbox.service';

@Module({
  providers: [
    {
      provide: PARTNER_CENTER_CLIENT_OPTIONS,
      inject: [ConfigService],
      useFactory: (config: ConfigService): Partial<PartnerCenterClientOptions> => config.getOrThrow<AppConfig>('app').partnerCenterHttp,
    },
    PartnerCenterClient,
    PartnerCenterSandboxService,
  ],
  exports: [PartnerCenterClient, PartnerCenterSandboxService],
})
export class PartnerCenterModule {}
