import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { McaController } from './mca.controller';
import { McaService } from './mca.service';
import { ReacceptanceHandler } from './reacceptance.handler';
import { TenantListVersion } from './tenant-list-version.entity';
import { TenantStatusCount } from './tenant-status-count.entity';
import { TenantWriter } from './tenant-writer';
import { Tenant } from './tenant.entity';
import { TenantsRepository } from './tenants.repository';

// Tenants sit below sync and attestations: they import nothing of either. The MCA page's sync status comes through
// SyncStatusSource, which the sync feature provides.
@Module({
  imports: [TypeOrmModule.forFeature([Tenant, TenantStatusCount, TenantListVersion])],
  controllers: [McaController],
  providers: [TenantsRepository, McaService, TenantWriter, ReacceptanceHandler],
  exports: [TenantsRepository, TenantWriter, McaService],
})
export class TenantsModule {}
