import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../jobs/job-registry';
import { AuditAnchorHandler } from './audit-anchor.handler';

// The app's daily anchoring job; apart from AuditModule, which the command line loads without the job queue.
@Module({ providers: [AuditAnchorHandler] })
export class AuditAnchoringModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly handler: AuditAnchorHandler,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.handler);
  }
}
