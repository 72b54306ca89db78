import { AttestationMetrics } from './attestation-metrics';
import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
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
import { AttestationFinalizeHandler, AttestationPollHandler, POLL_EVERY_MS, POLL_JOB } from './attestation-jobs';
import { AttestationMail } from './attestation-mail';
import { AttestationPages } from './attestation-pages';
import { AttestationsController } from './attestations.controller';
import { AttestationsRepository } from './attestations.repository';
import { AttestationsService } from './attestations.service';
import { JobRegistry } from '../jobs/job-registry';
import { RecurringJobs } from '../jobs/recurring-jobs.service';
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
  // The reports show each tenant's latest attestation.
  exports: [AttestationsRepository],
})
export class AttestationsModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly registry: JobRegistry,
    private readonly recurring: RecurringJobs,
    private readonly poll: AttestationPollHandler,
    private readonly finalize: AttestationFinalizeHandler,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.poll);
    this.registry.register(this.finalize);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.recurring.define({ name: 'attestations.poll', type: POLL_JOB, everyMs: POLL_EVERY_MS });
  }
}
