import { Module } from '@nestjs/common';
import { AuditAnchorHandler } from './audit-anchor.handler';

// The app's daily anchoring job; apart from AuditModule, which the command line loads without the job queue.
@Module({ providers: [AuditAnchorHandler] })
export class AuditAnchoringModule {}
