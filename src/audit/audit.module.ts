import { Global, Module } from '@nestjs/common';
import { AuditTrail } from './audit-trail.service';
import { AuditVerifier } from './audit-verifier.service';

// Global: every feature records its changes through AuditTrail.
@Global()
@Module({
  providers: [AuditTrail, AuditVerifier],
  exports: [AuditTrail, AuditVerifier],
})
export class AuditModule {}
