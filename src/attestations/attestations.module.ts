import { AttestationMetrics } from './attestation-metrics';
import { Module } from '@nestjs/common';
import { PartnerCenterSettingsModule } from '../partner-center-settings/partner-center-settings.module';
import { PartnerCenterModule } from '../partner-center/partner-center.module';
import { TenantsModule } from '../tenants/tenants.module';
import { AcceptanceLinks } from './acceptance-links';
import { AttestationClaims } from './attestation-claims';
import { AgreementPageController } from './agreement-page.controller';
import { AttestationFinalizeHandler, AttestationPollHandler } from './attestation-jobs';
import { AttestationMail } from './attestation-mail';
import { AttestationPages } from './attestation-pages';
import { AttestationsController } from './attestations.controller';
import { AttestationsService } from './attestations.service';
import { SandboxAcceptanceController } from './sandbox-acceptance.controller';

@Module({
  imports: [PartnerCenterSettingsModule, PartnerCenterModule, TenantsModule],
  controllers: [AttestationsController, SandboxAcceptanceController, AgreementPageController],
  providers: [
    AttestationMetrics,
    AcceptanceLinks,
    AttestationClaims,
    AttestationsService,
    AttestationPages,
    AttestationMail,
    AttestationPollHandler,
    AttestationFinalizeHandler,
  ],
})
export class AttestationsModule {}
