import { Logger, Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { appConfig, type AppConfig } from '../config/app.config';
import { PartnerCenterClient } from './partner-center.client';
import { PARTNER_CENTER_CLIENT_OPTIONS, type PartnerCenterClientOptions } from './partner-center.options';
import { PartnerCenterSandboxService } from './sandbox/partner-center-sandbox.service';

@Module({
  providers: [
    {
      provide: PARTNER_CENTER_CLIENT_OPTIONS,
      inject: [appConfig.KEY, Clock],
      useFactory: (config: AppConfig, clock: Clock): Partial<PartnerCenterClientOptions> => {
        const logger = new Logger('PartnerCenter');
        return {
          ...config.partnerCenterHttp,
          now: () => clock.nowMs(),
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
