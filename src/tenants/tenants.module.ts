import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../jobs/job-registry';
import { McaController } from './mca.controller';
import { McaService } from './mca.service';
import { ReacceptanceHandler } from './reacceptance.handler';
import { TenantWriter } from './tenant-writer';

// Tenants sit below sync and attestations: they import nothing of either. The MCA page's sync status comes through
// SyncStatusSource, which the sync feature provides.
@Module({
  controllers: [McaController],
  providers: [McaService, TenantWriter, ReacceptanceHandler],
  exports: [TenantWriter],
})
export class TenantsModule implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly reacceptance: ReacceptanceHandler,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.reacceptance);
  }
}
