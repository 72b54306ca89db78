import { Module } from '@nestjs/common';
import { McaController } from './mca.controller';
import { McaService } from './mca.service';
import { TenantWriter } from './tenant-writer';

// Tenants sit below sync and attestations: they import nothing of either. The MCA page's sync status comes through
// SyncStatusSource, which the sync feature provides.
@Module({
  controllers: [McaController],
  providers: [McaService, TenantWriter],
  exports: [TenantWriter],
})
export class TenantsModule {}
