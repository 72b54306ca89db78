import { Module } from '@nestjs/common';
import { PartnerCenterSettingsModule } from '../partner-center-settings/partner-center-settings.module';
import { PartnerCenterModule } from '../partner-center/partner-center.module';
import { AttestationMail } from './attestation-mail';
import { AttestationPages } from './attestation-pages';
import { AttestationsController } from './attestations.controller';
import { AttestationsService } from './attestations.service';
import { FLOOR_STAND_INS } from './floor';
import { SandboxAcceptanceController } from './sandbox-acceptance.controller';

@Module({
  imports: [PartnerCenterSettingsModule, PartnerCenterModule],
  controllers: [AttestationsController, SandboxAcceptanceController],
  providers: [AttestationsService, AttestationPages, AttestationMail, ...FLOOR_STAND_INS],
})
export class AttestationsModule {}
