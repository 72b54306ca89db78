import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PartnerCenterClient } from '../partner-center/partner-center.client';
import { PartnerCenterModule } from '../partner-center/partner-center.module';
import { PartnerCenterSandboxService } from '../partner-center/sandbox/partner-center-sandbox.service';
import { PARTNER_CENTER_API, PARTNER_CENTER_SANDBOX } from './partner-center.ports';
import { PartnerCenterConnectionService } from './partner-center-connection.service';
import { PartnerCenterSettings } from './partner-center-settings.entity';
import { PartnerCenterSettingsController } from './partner-center-settings.controller';
import { PartnerCenterSettingsRepository } from './partner-center-settings.repository';
import { PartnerCenterSettingsService } from './partner-center-settings.service';
import { RefreshTokenKeeper } from './refresh-token-keeper';
import { AcceptancePolicySource } from '../tenants/acceptance-policy';

// Global so that tenants (beside it) find the broker's acceptance policy through their own interface.
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([PartnerCenterSettings]), PartnerCenterModule],
  controllers: [PartnerCenterSettingsController],
  providers: [
    { provide: PARTNER_CENTER_API, useExisting: PartnerCenterClient },
    { provide: PARTNER_CENTER_SANDBOX, useExisting: PartnerCenterSandboxService },
    PartnerCenterSettingsRepository,
    PartnerCenterSettingsService,
    { provide: AcceptancePolicySource, useExisting: PartnerCenterSettingsService },
    PartnerCenterConnectionService,
    RefreshTokenKeeper,
  ],
  exports: [PartnerCenterSettingsService, PARTNER_CENTER_API, AcceptancePolicySource],
})
export class PartnerCenterSettingsModule {}
