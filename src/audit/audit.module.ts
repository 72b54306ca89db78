import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditLogService } from './audit-log.service';
import { AuditTrail } from './audit-trail.service';
import { AuditVerification } from './audit-verification.service';
import { AuditVerifier } from './audit-verifier.service';

// Global: every feature records its changes through AuditTrail. The page lists a broker's events for its admins.
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditTrail, AuditVerifier, AuditLogService, AuditVerification],
  exports: [AuditTrail, AuditVerifier],
})
export class AuditModule {}
