import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { AuditAnchorEntity } from './audit-anchor.entity';
import { AuditAnchors } from './audit-anchors.service';
import { AuditChainHeadEntity } from './audit-chain-head.entity';
import { AuditEventEntity } from './audit-event.entity';
import { AuditController } from './audit.controller';
import { AuditLogService } from './audit-log.service';
import { AuditTrail } from './audit-trail.service';
import { AuditVerification } from './audit-verification.service';
import { AuditVerifier } from './audit-verifier.service';
import { AuditRepository } from './audit.repository';

// Global: every feature records its changes through AuditTrail. The page lists a broker's events for its admins.
@Global()
@Module({
  // The page's verification is rate-limited; the CLI's app context has no RateLimitsModule of its own.
  imports: [TypeOrmModule.forFeature([AuditEventEntity, AuditChainHeadEntity, AuditAnchorEntity]), RateLimitsModule],
  controllers: [AuditController],
  providers: [AuditRepository, AuditTrail, AuditVerifier, AuditLogService, AuditVerification, AuditAnchors],
  exports: [AuditTrail, AuditVerifier, AuditAnchors],
})
export class AuditModule {}
