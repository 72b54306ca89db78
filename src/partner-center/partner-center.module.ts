import { Logger, Module } from '@nestjs/common';
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
      useFactory: (config: ConfigService): Partial<PartnerCenterClientOptions> => {
        const logger = new Logger('PartnerCenter');
        return {
          ...config.getOrThrow<AppConfig>('app').partnerCenterHttp,
          onRetry: (event) =>
            logger.warn(
              `${event.reason} while ${event.operation}; retrying in ${event.waitMs} ms (attempt ${event.attempt + 1} of ${event.maxAttempts}, MS-RequestId ${event.requestId})`,
            ),
        };
      },
    },
    PartnerCenterClient,
    PartnerCenterSandboxService,
  ],
  exports: [PartnerCenterClient, PartnerCenterSandboxService],
})
export class PartnerCenterModule {}
