import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { McaController } from './mca.controller';
import { McaService } from './mca.service';

@Module({
  imports: [SyncModule],
  controllers: [McaController],
  providers: [McaService],
})
export class TenantsModule {}
