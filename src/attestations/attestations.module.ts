import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PartnerCenterSettingsModule } from '../partner-center-settings/partner-center-settings.module';
import { PartnerCenterModule } from '../partner-center/partner-center.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersModule } from '../users/users.module';
import { AcceptanceLinks } from './acceptance-links';
import { AttestationClaimEntity } from './attestation-claim.entity';
import { AttestationClaims } from './attestation-claims';
import { AttestationEntity } from './attestation.entity';
import { AgreementPageController } from './agreement-page.controller';
import { AttestationFinalizeHandler, AttestationPollHandler } from './attestation-jobs';
import { AttestationMail } from './attestation-mail';
import { AttestationMetrics } from './attestation-metrics';
import { AttestationPages } from './attestation-pages';
import { AttestationsController } from './attestations.controller';
import { AttestationsRepository } from './attestations.repository';
import { AttestationsService } from './attestations.service';
import { SandboxAcceptanceController } from './sandbox-acceptance.controller';

@Module({
  imports: [
    TypeOrmModule.forFeature([AttestationEntity, AttestationClaimEntity]),
    PartnerCenterSettingsModule,
    PartnerCenterModule,
    TenantsModule,
    UsersModule,
  ],
  controllers: [AttestationsController, SandboxAcceptanceController, AgreementPageController],
  providers: [
    AttestationMetrics,
    AttestationsRepository,
    AcceptanceLinks,
    AttestationClaims,
    AttestationsService,
    AttestationPages,
    AttestationMail,
    AttestationPollHandler,
    AttestationFinalizeHandler,
  ],
  // The reports show each tenant's latest attestation; the API reads a tenant's history through the service.
  exports: [AttestationsRepository, AttestationsService],
})
export class AttestationsModule {}
